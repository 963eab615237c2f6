"""The demo seed: requests in every state, grants, logged calls on the demo citizens."""

from __future__ import annotations

from digigov.data.catalog.services.demo import catalog_demo_seed
from digigov.data.registries.services import demo_person_id_numbers, registry_demo_generate
from digigov.kernel.organizations.services import organizations_seed
from digigov.kernel.principals import Principal
from digigov.kernel.regions.services import regions_load

from ..models import ExchangeLogEntry, Grant, SharingRequest
from ..selectors.log import exchange_log_for_citizen
from ..services.demo import sharing_demo_client_key, sharing_demo_seed
from ..services.log import exchange_log_verify


def test_demo_seed(db):
    regions_load()
    organizations_seed(county_level=False, town_level=False)
    registry_demo_generate(people=30, entities=10)
    catalog_demo_seed(seed=2021)
    summary = sharing_demo_seed(seed=2021)
    assert "共享申请" in summary, summary
    states = set(SharingRequest.objects.values_list("state", flat=True))
    assert states == {"pending", "approved", "partial", "refused", "withdrawn"}
    pending = SharingRequest.objects.get(state="pending")
    assert pending.resource.organization.code == "440000-gat"
    assert set(Grant.objects.values_list("status", flat=True)) == {"active", "revoked"}
    assert ExchangeLogEntry.objects.filter(outcome="refused").exists()
    citizen = demo_person_id_numbers(count=1)[0]
    page = exchange_log_for_citizen(
        principal=Principal(kind="citizen", id="1", person_id_number=citizen)
    )
    assert page.total >= 2  # read by key and verified
    assert exchange_log_verify().is_intact
    assert sharing_demo_seed(seed=2021) == "已存在，跳过"
    client, key = sharing_demo_client_key()
    assert key.startswith("dg_") and client.organization.code == "440100-mzt"
