from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "digigov.portals.staff"
    label = "staff"
    verbose_name = "粤政易"

    def ready(self) -> None:
        """Demo staff of the data center (the data layer cannot create accounts)."""
        from digigov.kernel.ops.seeding import seed_step
        from digigov.support.identity.selectors import DEMO_STAFF_LOGINS

        from .data_center_demo import DATA_CENTER_DEMO_STAFF, data_center_demo_seed

        seed_step("data_center_staff", order=51, label="数据中心演示账号")(data_center_demo_seed)
        DEMO_STAFF_LOGINS.update({name: row[3] for name, row in DATA_CENTER_DEMO_STAFF.items()})
