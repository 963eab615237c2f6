from django.apps import AppConfig


class SensorsConfig(AppConfig):
    name = "digigov.apps.sensors"
    label = "sensors"
    verbose_name = "感知终端"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from digigov.kernel.ops.seeding import seed_step

        from .services.demo import sensors_demo_seed

        # order 64: after the city events' catalogue, grids and demo events (62)
        seed_step("sensors_demo", order=64, label="感知终端")(sensors_demo_seed)
