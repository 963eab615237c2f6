from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "digigov.kernel.workdays"
    label = "workdays"
    verbose_name = "工作日历"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from digigov.kernel.ops.seeding import seed_step

        from .services import holidays_demo_seed

        seed_step("workdays", order=12, label="法定节假日")(holidays_demo_seed)
