from django.apps import AppConfig


class SealsConfig(AppConfig):
    name = "digigov.support.seals"
    label = "seals"
    verbose_name = "电子印章与电子签名"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """The demo seed step (order 47: after the departments and staff roles exist)."""
        from digigov.kernel.ops.seeding import seed_step
        from digigov.support.identity.selectors import DEMO_STAFF_LOGINS

        from .services.demo import DEMO_SEAL_STAFF, seals_demo_seed

        seed_step("seals_demo", order=47, label="电子印章")(seals_demo_seed)
        DEMO_STAFF_LOGINS.update({name: row[3] for name, row in DEMO_SEAL_STAFF.items()})
