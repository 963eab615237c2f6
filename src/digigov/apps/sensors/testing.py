"""Test support: a small registry of kinds, devices and rules made through the services,
and registration of the readings table's append-only triggers for the test flush."""

from __future__ import annotations

from importlib import import_module

from digigov.kernel.audit.testing import AppendOnly, append_only_register
from digigov.kernel.organizations.models import Organization
from digigov.kernel.organizations.services import organizations_seed
from digigov.kernel.principals import Principal
from digigov.kernel.regions.models import Region
from digigov.kernel.regions.services import regions_load

from .models import Device, DeviceKind, Rule
from .services.devices import DeviceInput, RuleInput, device_register, kind_ensure, rule_save

SYSTEM = Principal(kind="system", id="sensors-tests")
_MIGRATION = "digigov.apps.sensors.migrations.0002_readings_partitioned_append_only"


def allow_readings_test_flush() -> None:
    migration = import_module(_MIGRATION)
    # two triggers on one table: one entry each (the flush helper keys them by table)
    append_only_register(
        AppendOnly(
            pg_triggers={migration.TABLE: migration.PG_ROW_TRIGGER},
            sqlite_drop=[
                s.replace("DROP TRIGGER ", "DROP TRIGGER IF EXISTS ", 1)
                for s in migration.SQLITE_REVERSE
            ],
            sqlite_create=list(migration.SQLITE),
        )
    )
    append_only_register(
        AppendOnly(
            pg_triggers={migration.TABLE: migration.PG_TRUNCATE_TRIGGER},
            sqlite_drop=[],
            sqlite_create=[],
        )
    )


def places_ensure() -> None:
    if not Region.objects.filter(code="440000").exists():
        regions_load()
    if not Organization.objects.exists():
        organizations_seed(county_level=False, town_level=False)


def owner_id() -> int:
    return Organization.objects.order_by("pk").values_list("pk", flat=True).first()


def water_kind() -> DeviceKind:
    return kind_ensure(
        code="water-level",
        name="水位",
        unit="m",
        min_value=0,
        max_value=50,
        expected_interval_seconds=60,
    )


def device_make(
    code: str = "wl-0001",
    *,
    kind: DeviceKind | None = None,
    region_code: str = "440100",
    lng: float = 113.26,
    lat: float = 23.13,
) -> Device:
    places_ensure()
    kind = kind or water_kind()
    return device_register(
        principal=SYSTEM,
        data=DeviceInput(
            code=code,
            kind_code=kind.code,
            name=f"测试设备 {code}",
            longitude=lng,
            latitude=lat,
            region_code=region_code,
            owner_organization_id=owner_id(),
        ),
    )


def rule_make(
    kind: DeviceKind,
    *,
    rule_type: str = "above",
    limit: float = 10.0,
    consecutive: int = 1,
    raises_event: bool = False,
    device_code: str = "",
    event_type_code: str = "",
) -> Rule:
    return rule_save(
        principal=SYSTEM,
        data=RuleInput(
            kind_code=kind.code,
            name=f"{kind.name}{rule_type}{limit:g}",
            rule_type=rule_type,
            limit=limit,
            consecutive=consecutive,
            level="larger",
            raises_event=raises_event,
            event_type_code=event_type_code or ("flood" if raises_event else ""),
            device_code=device_code,
        ),
    )
