from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "digigov.apps.services"
    label = "services"
    verbose_name = "一网通办"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Each area registers its demo seed step and event subscriptions here."""
        from digigov.kernel.ops.seeding import seed_step

        # catalog area (seed order 40)
        from .services import items as item_services

        seed_step("services_items", order=40, label="政务服务事项")(item_services.items_seed)
        # bundles area (seed order 41, event subscriptions)
        from .services import bundles as bundle_services

        seed_step("services_bundles", order=41, label="一件事")(bundle_services.bundles_seed)
        bundle_services.bundle_subscriptions_register()
        # approval area (seed order 42)
        from .services import instant as instant_services

        seed_step("services_rules", order=42, label="秒批规则")(instant_services.rules_demo_seed)
        # workflow area (seed order 43)
        from digigov.support.identity.selectors import DEMO_STAFF_LOGINS

        from .services.workflow import DEMO_STAFF, workflow_demo_seed

        seed_step("services_workflow", order=43, label="审批流程演示账号")(workflow_demo_seed)
        DEMO_STAFF_LOGINS.update({username: row[3] for username, row in DEMO_STAFF.items()})
        # demo cases (seed order 45): filed by the demo accounts through the services
        from .services.demo import demo_cases_seed

        seed_step("services_demo_cases", order=45, label="演示办件")(demo_cases_seed)
        # clock and supervision area (seed order 48: after the demo cases exist)
        from .services.clock import DEMO_SUPERVISORS, clock_demo_seed

        seed_step("services_clock", order=48, label="办结时限预警与监督账号")(clock_demo_seed)
        DEMO_STAFF_LOGINS.update({name: row[2] for name, row in DEMO_SUPERVISORS.items()})
        # licenses area: 免提交 over the wallet, issuing on approval, revoking on violation
        from .license_source import license_source_set
        from .licenses_adapter import WalletLicenses
        from .services.licenses import license_subscriptions_register

        license_source_set(WalletLicenses())
        license_subscriptions_register()
