from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "digigov.apps.governance"
    label = "governance"
    verbose_name = "一网统管"
    default_auto_field = "django.db.models.BigAutoField"
