"""The seal lifecycle: apply, four-eyes approval with key and certificate, refuse, suspend,
resume, revoke; each with its history, audit entry and event; refusals change nothing."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.crypto.models import CryptoKey
from digigov.kernel.errors import Conflict, PermissionDenied, ValidationFailed
from digigov.kernel.events.models import Event
from digigov.kernel.principals import ANONYMOUS, Principal

from ..models import Authority, Seal, SealStatusChange
from ..services import lifecycle
from ..testing import admin_principal, approver_principal, organization, seal_make

pytestmark = pytest.mark.django_db


def _state(seal_id: int) -> tuple:
    seal = Seal.objects.get(pk=seal_id)
    return (
        seal.status,
        seal.key_id,
        SealStatusChange.objects.filter(seal=seal).count(),
        Event.objects.filter(topic__startswith="seals.").count(),
    )


def test_apply_makes_an_applied_seal_named_after_the_organization():
    seal = lifecycle.seal_apply(principal=admin_principal(), kind="approval", purpose_note="审批")

    assert seal.status == "applied"
    assert seal.name == "广州市市场监督管理局行政审批专用章"
    assert seal.key_id == ""
    assert seal.certificate_der is None
    assert list(SealStatusChange.objects.filter(seal=seal).values_list("status", flat=True)) == [
        "applied"
    ]
    assert Event.objects.filter(topic="seals.seal.applied").count() == 1
    assert AuditEntry.objects.filter(action="seals.seal.apply", outcome="success").count() == 1


def test_official_seal_carries_the_organization_name():
    seal = lifecycle.seal_apply(principal=admin_principal(), kind="official")
    assert seal.name == "广州市市场监督管理局"


def test_approval_creates_a_p256_key_and_a_certificate_from_the_platform_ca():
    seal = seal_make()

    assert seal.status == "active"
    key = CryptoKey.objects.get(key_id=seal.key_id)
    assert (key.algorithm, key.purpose, key.owner) == ("ecdsa-p256", "seal", f"seal:{seal.pk}")
    certificate = x509.load_der_x509_certificate(bytes(seal.certificate_der))
    subject = certificate.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == seal.name
    assert (
        subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "广州市市场监督管理局"
    )
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "440100-scjg"
    assert format(certificate.serial_number, "x") == seal.certificate_serial
    # the certificate is really signed by the root CA's key (kept in kernel.crypto)
    root = Authority.objects.get(role="root", is_active=True)
    root_certificate = x509.load_der_x509_certificate(bytes(root.certificate_der))
    root_certificate.public_key().verify(
        certificate.signature, certificate.tbs_certificate_bytes, ec.ECDSA(hashes.SHA256())
    )
    certificate.verify_directly_issued_by(root_certificate)
    assert certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) == bytes(key.public_der)
    assert Event.objects.filter(topic="seals.seal.active").count() == 1
    assert seal.decided_by == approver_principal().actor


def test_root_and_tsa_are_made_once_and_the_tsa_may_only_time_stamp():
    seal_make()
    seal_make(kind="contract")

    assert Authority.objects.filter(role="root").count() == 1
    assert Authority.objects.filter(role="tsa").count() == 1
    tsa = x509.load_der_x509_certificate(bytes(Authority.objects.get(role="tsa").certificate_der))
    usage = tsa.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert usage.critical
    assert list(usage.value) == [x509.oid.ExtendedKeyUsageOID.TIME_STAMPING]
    root = x509.load_der_x509_certificate(bytes(Authority.objects.get(role="root").certificate_der))
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_the_applicant_cannot_approve_their_own_application():
    both = Principal(
        kind="staff",
        id="9001",  # the same account as the applicant
        label="兼任",
        organization_id=organization().pk,
        permissions=frozenset({"seals.apply_seal", "seals.approve_seal"}),
    )
    seal = lifecycle.seal_apply(principal=both, kind="finance")
    before = _state(seal.pk)

    with pytest.raises(PermissionDenied) as error:
        lifecycle.seal_approve(principal=both, seal_id=seal.pk)

    assert error.value.code == "seals/four_eyes"
    assert _state(seal.pk) == before
    assert AuditEntry.objects.filter(action="seals.seal.approve", outcome="denied").count() == 1


def test_an_approver_of_the_parent_organization_may_approve():
    seal = lifecycle.seal_apply(principal=admin_principal(), kind="official")
    provincial = approver_principal("440000-scjg", id="9100")

    approved = lifecycle.seal_approve(principal=provincial, seal_id=seal.pk)

    assert approved.status == "active"


@pytest.mark.parametrize(
    "principal_factory",
    [
        lambda: ANONYMOUS,
        lambda: Principal(kind="citizen", id="5", person_id_number="x"),
        lambda: admin_principal(id="9003"),  # no approve permission
        lambda: approver_principal("440100-gat", id="9004"),  # another department
        lambda: approver_principal("440300-scjg", id="9005"),  # another city's same line
    ],
)
def test_who_may_not_approve_changes_nothing(principal_factory):
    seal = lifecycle.seal_apply(principal=admin_principal(), kind="official")
    before = _state(seal.pk)

    with pytest.raises((PermissionDenied, lifecycle.Unauthenticated)):
        lifecycle.seal_approve(principal=principal_factory(), seal_id=seal.pk)

    assert _state(seal.pk) == before
    assert not CryptoKey.objects.filter(purpose="seal").exists()


def test_only_seal_administrators_apply():
    for principal in (approver_principal(), Principal(kind="citizen", id="1")):
        with pytest.raises(PermissionDenied):
            lifecycle.seal_apply(principal=principal, kind="official")
    assert not Seal.objects.exists()
    assert AuditEntry.objects.filter(action="seals.seal.apply", outcome="denied").count() == 2


def test_one_live_seal_per_kind_and_bad_kind_refused():
    seal_make()
    with pytest.raises(Conflict):
        lifecycle.seal_apply(principal=admin_principal(), kind="official")
    with pytest.raises(ValidationFailed):
        lifecycle.seal_apply(principal=admin_principal(), kind="personal")
    assert Seal.objects.count() == 1


def test_refuse_needs_a_reason_and_frees_the_kind():
    seal = lifecycle.seal_apply(principal=admin_principal(), kind="official")
    with pytest.raises(ValidationFailed):
        lifecycle.seal_refuse(principal=approver_principal(), seal_id=seal.pk, note=" ")
    assert Seal.objects.get(pk=seal.pk).status == "applied"

    refused = lifecycle.seal_refuse(
        principal=approver_principal(), seal_id=seal.pk, note="材料不全"
    )

    assert refused.status == "refused"
    assert refused.decision_note == "材料不全"
    assert Event.objects.filter(topic="seals.seal.refused").count() == 1
    # a refused application does not block a new one
    assert lifecycle.seal_apply(principal=admin_principal(), kind="official").status == "applied"


def test_suspend_resume_revoke_with_reasons_and_history():
    seal = seal_make()
    admin = admin_principal()

    with pytest.raises(ValidationFailed):
        lifecycle.seal_suspend(principal=admin, seal_id=seal.pk, reason="")
    lifecycle.seal_suspend(principal=admin, seal_id=seal.pk, reason="印章管理员调岗")
    assert Seal.objects.get(pk=seal.pk).status == "suspended"
    with pytest.raises(Conflict):
        lifecycle.seal_suspend(principal=admin, seal_id=seal.pk, reason="再次")
    lifecycle.seal_resume(principal=admin, seal_id=seal.pk, reason="交接完成")
    assert Seal.objects.get(pk=seal.pk).status == "active"
    lifecycle.seal_revoke(principal=approver_principal(), seal_id=seal.pk, reason="机构撤并")
    assert Seal.objects.get(pk=seal.pk).status == "revoked"
    with pytest.raises(Conflict):
        lifecycle.seal_resume(principal=admin, seal_id=seal.pk, reason="想恢复")

    history = list(SealStatusChange.objects.filter(seal=seal).values_list("status", "reason"))
    assert history == [
        ("applied", "测试"),
        ("active", ""),
        ("suspended", "印章管理员调岗"),
        ("active", "交接完成"),
        ("revoked", "机构撤并"),
    ]
    topics = list(
        Event.objects.filter(topic__startswith="seals.seal.")
        .order_by("pk")
        .values_list("topic", flat=True)
    )
    assert topics == [
        "seals.seal.applied",
        "seals.seal.active",
        "seals.seal.suspended",
        "seals.seal.active",
        "seals.seal.revoked",
    ]


def test_managers_of_other_organizations_cannot_suspend():
    seal = seal_make()
    other = admin_principal("440100-gat", id="9010")

    with pytest.raises(PermissionDenied):
        lifecycle.seal_suspend(principal=other, seal_id=seal.pk, reason="越权")

    assert Seal.objects.get(pk=seal.pk).status == "active"
    assert AuditEntry.objects.filter(action="seals.seal.suspend", outcome="denied").count() == 1
