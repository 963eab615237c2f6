from django.apps import AppConfig


class CityeventsConfig(AppConfig):
    name = "digigov.apps.cityevents"
    label = "cityevents"
    verbose_name = "城市事件"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """The demo seed step (62: after the 一网通办 and license demos) and its logins."""
        from digigov.kernel.ops.seeding import seed_step
        from digigov.support.identity.selectors import DEMO_STAFF_LOGINS

        from .services.demo import DEMO_STAFF, cityevents_demo_seed

        seed_step("cityevents_demo", order=62, label="城市事件、网格与网格员")(cityevents_demo_seed)
        DEMO_STAFF_LOGINS.update({username: row[3] for username, row in DEMO_STAFF.items()})
        DEMO_STAFF_LOGINS["grid_440106001"] = "天河区首个镇街 网格员"
