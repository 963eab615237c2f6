from django.apps import AppConfig


class LicensesConfig(AppConfig):
    name = "digigov.support.licenses"
    label = "licenses"
    verbose_name = "电子证照"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Each area registers its demo seed step here."""
        from digigov.kernel.ops.seeding import seed_step

        # catalog, status, credentials area (seed 35: before the 一网通办 items at 40; 46:
        # demo licenses after the services demo cases at 45)
        from digigov.support.identity.selectors import DEMO_STAFF_LOGINS

        from .services.catalog import license_types_seed
        from .services.demo import DEMO_ISSUERS, licenses_demo_seed

        seed_step("licenses_catalog", order=35, label="证照目录")(license_types_seed)
        seed_step("licenses_demo", order=46, label="演示电子证照与制证账号")(licenses_demo_seed)
        DEMO_STAFF_LOGINS.update({username: row[3] for username, row in DEMO_ISSUERS.items()})
