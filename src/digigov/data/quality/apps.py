from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "digigov.data.quality"
    label = "quality"
    verbose_name = "数据治理"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Each area registers its demo seed step here."""
        from digigov.kernel.ops.seeding import seed_step

        from .services.demo import quality_demo_seed

        seed_step("quality_demo", order=52, label="数据治理（含问题数据的演示数据集）")(
            quality_demo_seed
        )
