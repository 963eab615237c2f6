from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "digigov.data.catalog"
    label = "catalog"
    verbose_name = "数据目录"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Each area registers its demo seed step here."""
        from digigov.kernel.ops.seeding import seed_step

        from .services.demo import catalog_demo_seed

        # order 50: after the departments (11) and the demo registries (20)
        seed_step("catalog_demo", order=50, label="数据目录")(catalog_demo_seed)
