from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "digigov.data.opendata"
    label = "opendata"
    verbose_name = "开放广东"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from digigov.kernel.ops.seeding import seed_step

        from .services.demo import opendata_demo_seed

        # order 58: after the catalog (50) and sharing (55)
        seed_step("opendata_demo", order=58, label="开放广东")(opendata_demo_seed)
