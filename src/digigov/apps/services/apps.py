from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "digigov.apps.services"
    label = "services"
    verbose_name = "一网通办"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Each area registers its demo seed step and event subscriptions here."""
        from digigov.kernel.ops.seeding import seed_step  # noqa: F401

        # catalog area (seed order 40)
        # bundles area (seed order 41, event subscriptions)
        # approval area (seed order 42)
        # workflow area (seed order 43)
