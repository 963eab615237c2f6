from django.apps import AppConfig


class RegistriesConfig(AppConfig):
    name = "digigov.data.registries"
    label = "registries"
    verbose_name = "基础库"

    def ready(self) -> None:
        from digigov.kernel.ops.seeding import seed_step

        from .services import registries_demo_seed

        seed_step("registries", order=20, label="基础库")(registries_demo_seed)
