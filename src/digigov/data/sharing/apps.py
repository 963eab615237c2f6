from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "digigov.data.sharing"
    label = "sharing"
    verbose_name = "共享交换"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Each area registers its demo seed step here."""
        from digigov.kernel.ops.seeding import seed_step

        from .services.demo import sharing_demo_seed

        # order 55: after the catalog's demo resources (50) and the data-center staff (51)
        seed_step("sharing_demo", order=55, label="共享交换")(sharing_demo_seed)
