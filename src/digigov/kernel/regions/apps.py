from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "digigov.kernel.regions"
    label = "regions"
    verbose_name = "行政区划"

    def ready(self) -> None:
        from digigov.kernel.ops.seeding import seed_step

        from .services import regions_demo_seed

        seed_step("regions", order=10, label="行政区划")(regions_demo_seed)
