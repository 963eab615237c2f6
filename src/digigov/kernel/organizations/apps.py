from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "digigov.kernel.organizations"
    label = "organizations"
    verbose_name = "组织机构"

    def ready(self) -> None:
        from digigov.kernel.ops.seeding import seed_step

        from .services import organizations_demo_seed

        seed_step("organizations", order=11, label="组织机构")(organizations_demo_seed)
