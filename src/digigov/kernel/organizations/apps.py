from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "digigov.kernel.organizations"
    label = "organizations"
    verbose_name = "组织机构"
