from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "digigov.data.sharing"
    label = "sharing"
    verbose_name = "共享交换"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Each area registers its demo seed step here."""
