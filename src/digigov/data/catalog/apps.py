from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "digigov.data.catalog"
    label = "catalog"
    verbose_name = "数据目录"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Each area registers its demo seed step here."""
