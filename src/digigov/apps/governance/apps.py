from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "digigov.apps.governance"
    label = "governance"
    verbose_name = "一网统管"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """The demo seed step (order 70: after every area whose records the indicators
        count) and the demo logins."""
        from digigov.kernel.ops.seeding import seed_step
        from digigov.support.identity.selectors import DEMO_STAFF_LOGINS

        from .services.demo import DEMO_STAFF, governance_demo_seed

        seed_step("governance_demo", order=70, label="一网统管指标与驾驶舱")(governance_demo_seed)
        DEMO_STAFF_LOGINS.update({username: row[3] for username, row in DEMO_STAFF.items()})
