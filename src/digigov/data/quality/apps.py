from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "digigov.data.quality"
    label = "quality"
    verbose_name = "数据治理"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Each area registers its demo seed step here."""
