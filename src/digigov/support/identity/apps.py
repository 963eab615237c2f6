from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "digigov.support.identity"
    label = "identity"
    verbose_name = "统一身份认证"

    def ready(self) -> None:
        from . import receivers
        from .oidc import install_keyring

        install_keyring()
        receivers.connect()

        from digigov.kernel.ops.seeding import seed_step

        from .services import identity_demo_seed

        seed_step("identity", order=30, label="演示账号")(identity_demo_seed)
