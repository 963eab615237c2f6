from django.apps import AppConfig


class LicensesConfig(AppConfig):
    name = "digigov.support.licenses"
    label = "licenses"
    verbose_name = "电子证照"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Each area registers its demo seed step here."""
