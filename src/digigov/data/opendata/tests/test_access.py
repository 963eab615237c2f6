import pytest

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    Throttled,
    Unauthenticated,
    ValidationFailed,
)

from ..models import AccessApplication, DatasetResource, DeveloperKey, KeyUsageDay, UsageDay
from ..selectors.access import may_read_rows
from ..selectors.datasets import developer_keys
from ..services.applications import application_decide, application_submit
from ..services.downloads import resource_download
from ..services.keys import developer_key_create, developer_key_revoke, developer_key_use
from .factories import ANONYMOUS, citizen, publisher, reviewer, staff

pytestmark = pytest.mark.django_db
PURPOSE = "用于食品安全研究和消费者权益保护分析"


def _csv(dataset):
    return DatasetResource.objects.get(dataset=dataset, format="CSV").pk


def test_unconditional_download_counts(published):
    download = resource_download(principal=ANONYMOUS, resource_id=_csv(published))
    text = download.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("shop_id,shop_name,district_code")
    assert len(text.strip().splitlines()) == 31
    assert "王" not in text
    assert UsageDay.objects.get(dataset=published).downloads == 1
    xlsx = DatasetResource.objects.get(dataset=published, format="XLSX").pk
    assert resource_download(principal=ANONYMOUS, resource_id=xlsx).content[:2] == b"PK"


def test_conditional_needs_approved_application(conditional):
    person = citizen()
    with pytest.raises(PermissionDenied):
        resource_download(principal=person, resource_id=_csv(conditional))
    with pytest.raises(Unauthenticated):
        resource_download(principal=ANONYMOUS, resource_id=_csv(conditional))
    application = application_submit(
        principal=person, dataset_name=conditional.name, purpose=PURPOSE, organization="某大学"
    )
    with pytest.raises(Conflict):
        application_submit(principal=person, dataset_name=conditional.name, purpose=PURPOSE)
    assert not may_read_rows(actor=person.actor, dataset=conditional)
    application_decide(
        principal=publisher(), application_id=application.pk, approve=True, valid_days=30
    )
    assert may_read_rows(actor=person.actor, dataset=conditional)
    download = resource_download(principal=person, resource_id=_csv(conditional))
    assert "owner_name" not in download.content.decode("utf-8-sig")
    assert AuditEntry.objects.filter(
        action="opendata.resource.download", outcome="success"
    ).exists()


@pytest.mark.parametrize(
    "who", ["anonymous", "citizen", "staff_without", "other_publisher", "reviewer"]
)
def test_decide_authorization(conditional, who):
    application = application_submit(
        principal=citizen(), dataset_name=conditional.name, purpose=PURPOSE
    )
    principal = {
        "anonymous": ANONYMOUS,
        "citizen": citizen("102"),
        "staff_without": staff("440100-scjg"),
        "other_publisher": publisher("440100-mzt"),
        "reviewer": reviewer(),
    }[who]
    with pytest.raises((PermissionDenied, Unauthenticated)):
        application_decide(principal=principal, application_id=application.pk, approve=True)
    assert AccessApplication.objects.get(pk=application.pk).state == "submitted"


def test_refusal_needs_reason(conditional):
    application = application_submit(
        principal=citizen(), dataset_name=conditional.name, purpose=PURPOSE
    )
    with pytest.raises(ValidationFailed):
        application_decide(principal=publisher(), application_id=application.pk, approve=False)
    refused = application_decide(
        principal=publisher(), application_id=application.pk, approve=False, reason="用途不明确"
    )
    assert refused.state == "refused"
    assert not may_read_rows(actor=citizen().actor, dataset=conditional)


def test_application_bad_input(published, conditional):
    with pytest.raises(ValidationFailed):
        application_submit(principal=citizen(), dataset_name=published.name, purpose=PURPOSE)
    with pytest.raises(ValidationFailed):
        application_submit(principal=citizen(), dataset_name=conditional.name, purpose="短")
    with pytest.raises(NotFound):
        application_submit(principal=citizen(), dataset_name="nope", purpose=PURPOSE)
    with pytest.raises(Unauthenticated):
        application_submit(principal=ANONYMOUS, dataset_name=conditional.name, purpose=PURPOSE)
    assert not AccessApplication.objects.exists()


def test_keys_quota_and_usage(orgs):
    person = citizen()
    with pytest.raises(Unauthenticated):
        developer_key_create(principal=ANONYMOUS, name="x")
    issued = developer_key_create(principal=person, name="我的应用", daily_quota=3)
    assert issued.secret.startswith("gdod_")
    assert DeveloperKey.objects.get().digest != issued.secret
    for _ in range(3):
        use = developer_key_use(secret=issued.secret)
        assert use.owner == person.actor
    with pytest.raises(Throttled):
        developer_key_use(secret=issued.secret)
    row = KeyUsageDay.objects.get()
    assert (row.calls, row.refused) == (3, 1)
    [view] = developer_keys(principal=person)
    assert (view.calls_today, view.refused_total) == (3, 1)
    assert developer_keys(principal=citizen("999")) == []
    with pytest.raises(NotFound):
        developer_key_revoke(principal=citizen("999"), key_id=issued.key.pk)
    developer_key_revoke(principal=person, key_id=issued.key.pk)
    with pytest.raises(PermissionDenied):
        developer_key_use(secret=issued.secret)
    with pytest.raises(PermissionDenied):
        developer_key_use(secret="gdod_' OR 1=1 --")
