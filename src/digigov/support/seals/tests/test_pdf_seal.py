"""Sealing a PDF (PAdES B-T with the seal's appearance and the platform TSA's time stamp) and
verifying it: valid, modified after sealing (incremental update, flipped byte), invalid
(unknown CA, seal suspended at signing time), and every refusal audited and harmless."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io

import pytest
from asn1crypto import algos, tsp
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.crypto import services as crypto
from digigov.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from digigov.kernel.events.models import Event
from digigov.kernel.principals import ANONYMOUS, Principal

from ..models import SealStatusChange, SealUse
from ..selectors.verification import pdf_verify, seal_status_at
from ..services import lifecycle
from ..services.sealing import MAX_PDF_BYTES, pdf_seal, timestamp_respond
from ..testing import admin_principal, approver_principal, pdf_make, seal_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def seal():
    return seal_make()


def _seal(seal, pdf=None, **overrides):
    values = {
        "principal": admin_principal(),
        "seal_id": seal.pk,
        "pdf": pdf or pdf_make(),
        "reason": "行政许可决定书",
        "file_name": "决定书.pdf",
    }
    values.update(overrides)
    return pdf_seal(**values)


def test_sealed_pdf_verifies_as_valid_with_signer_and_trusted_time(seal):
    original = pdf_make()
    sealed = _seal(seal, original)

    assert sealed.startswith(original)  # an incremental update: the original bytes stay
    [report] = pdf_verify(pdf=sealed)
    assert report.verdict == "valid", report.reasons
    assert report.verdict_label == "有效"
    assert (report.seal_id, report.seal_name) == (seal.pk, "广州市市场监督管理局")
    assert report.organization_name == "广州市市场监督管理局"
    assert report.organization_code == "440100-scjg"
    assert report.reason == "行政许可决定书"
    assert report.location == "广东省"
    assert report.is_timestamp_valid and report.timestamp_time is not None
    assert report.signing_time is not None
    assert report.covers_whole_file
    assert report.seal_status_then == "active"


def test_the_signature_is_visible_with_the_seal_appearance(seal):
    sealed = _seal(seal)
    reader = PdfFileReader(io.BytesIO(sealed))
    [embedded] = reader.embedded_regular_signatures
    widget = embedded.sig_field
    rect = [float(v) for v in widget["/Rect"]]
    assert rect[2] - rect[0] == pytest.approx(120)
    appearance = widget["/AP"]["/N"]
    # the stamp's background is the seal drawing imported as a form XObject
    xobjects = appearance["/Resources"]["/XObject"]
    assert len(xobjects) >= 1
    assert b"STSong-Light" in sealed


def test_use_is_logged_audited_and_published(seal):
    original = pdf_make()
    sealed = _seal(seal, original)

    use = SealUse.objects.get()
    assert use.seal_id == seal.pk
    assert use.document_sm3 == crypto.digest(original).hex()
    assert use.sealed_sm3 == crypto.digest(sealed).hex()
    assert (use.file_name, use.purpose, use.actor) == ("决定书.pdf", "行政许可决定书", "staff:9001")
    assert AuditEntry.objects.filter(action="seals.seal.use", outcome="success").count() == 1
    assert Event.objects.filter(topic="seals.seal.used").count() == 1


def test_incremental_update_after_sealing_is_detected(seal):
    sealed = _seal(seal)
    writer = IncrementalPdfFileWriter(io.BytesIO(sealed))
    stream = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 30 Tf 72 500 Td (PAID IN FULL) Tj ET")
    )
    writer.add_stream_to_page(0, stream)
    changed = io.BytesIO()
    writer.write(changed)

    [report] = pdf_verify(pdf=changed.getvalue())

    assert report.verdict == "modified"
    assert report.verdict_label == "签章后被修改"
    assert not report.covers_whole_file


def test_flipped_byte_in_the_signed_content_is_detected(seal):
    sealed = _seal(seal, pdf_make("Amount 100 yuan"))
    position = sealed.index(b"Amount 100")
    tampered = sealed[:position] + b"Amount 900" + sealed[position + 10 :]

    [report] = pdf_verify(pdf=tampered)

    assert report.verdict == "modified"
    assert not report.is_intact


def test_a_second_seal_keeps_the_first_valid(seal):
    other = seal_make(kind="contract")
    once = _seal(seal)
    twice = _seal(other, once, box=(200, 72, 320, 192))

    reports = pdf_verify(pdf=twice)

    assert [r.verdict for r in reports] == ["valid", "valid"]
    assert [r.seal_id for r in reports] == [seal.pk, other.pk]
    assert not reports[0].covers_whole_file and reports[1].covers_whole_file


def test_a_pdf_without_seals_has_no_reports():
    assert pdf_verify(pdf=pdf_make()) == []


def test_signature_from_an_unknown_ca_is_invalid(seal):
    # a self-made "seal" certificate outside the platform CA, with the same subject
    from asn1crypto import keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "广州市市场监督管理局")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(int(seal.certificate_serial, 16))  # even reusing a real serial
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(
            certificate.public_bytes(serialization.Encoding.DER)
        ),
        signing_key=keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        cert_registry=SimpleCertificateStore(),
    )
    output = io.BytesIO()
    signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf_make())),
        signers.PdfSignatureMetadata(field_name="Forged", md_algorithm="sha256"),
        signer=signer,
        output=output,
    )

    [report] = pdf_verify(pdf=output.getvalue())

    assert report.verdict == "invalid"
    assert report.seal_id is None
    assert any("CA" in reason for reason in report.reasons)


def test_seal_status_history_answers_active_at_a_moment(seal):
    lifecycle.seal_suspend(principal=admin_principal(), seal_id=seal.pk, reason="暂停")
    changes = list(SealStatusChange.objects.filter(seal=seal).order_by("at", "id"))
    approved_at, suspended_at = changes[1].at, changes[2].at

    assert seal_status_at(seal=seal, moment=approved_at) == "active"
    assert seal_status_at(seal=seal, moment=suspended_at) == "suspended"
    assert seal_status_at(seal=seal, moment=changes[0].at.replace(year=2000)) == ""


def test_documents_sealed_before_a_revocation_stay_valid(seal):
    sealed = _seal(seal)
    lifecycle.seal_revoke(principal=approver_principal(), seal_id=seal.pk, reason="机构撤并")

    [report] = pdf_verify(pdf=sealed)

    assert report.verdict == "valid"


def test_signed_while_suspended_is_invalid(seal):
    """A signature whose trusted time falls in a suspension (e.g. made on another host
    before it saw the suspension) is invalid."""
    sealed = _seal(seal)
    [report] = pdf_verify(pdf=sealed)
    # move the approval after the time stamp: at signing time the seal was only applied
    SealStatusChange.objects.filter(seal=seal, status="active").update(
        at=report.timestamp_time.replace(year=report.timestamp_time.year + 1)
    )

    [report] = pdf_verify(pdf=sealed)

    assert report.verdict == "invalid"
    assert any("申请中" in reason for reason in report.reasons)


@pytest.mark.parametrize("action", ["suspend", "revoke"])
def test_sealing_with_a_suspended_or_revoked_seal_is_refused_and_audited(seal, action):
    getattr(lifecycle, f"seal_{action}")(
        principal=approver_principal(), seal_id=seal.pk, reason="测试"
    )

    with pytest.raises(Conflict) as error:
        _seal(seal)

    assert error.value.code in ("seals/seal_suspended", "seals/seal_revoked")
    assert not SealUse.objects.exists()
    assert AuditEntry.objects.filter(action="seals.seal.use", outcome="failure").count() == 1


def test_a_seal_still_applied_for_cannot_seal():
    applied = seal_make(active=False)
    with pytest.raises(Conflict):
        _seal(applied)
    assert not SealUse.objects.exists()


@pytest.mark.parametrize(
    "principal_factory",
    [
        lambda: ANONYMOUS,
        lambda: Principal(kind="citizen", id="3", person_id_number="x"),
        lambda: approver_principal(id="9020"),  # may approve, may not use
        lambda: admin_principal("440100-gat", id="9021"),  # another organization
        lambda: Principal(
            kind="machine", id="7", organization_id=admin_principal().organization_id
        ),  # its own system but without the scope
        lambda: Principal(
            kind="machine",
            id="8",
            organization_id=admin_principal("440100-gat").organization_id,
            scopes=frozenset({"seals:use"}),
        ),  # another organization's system
    ],
)
def test_who_may_not_use_the_seal_is_refused_and_audited(seal, principal_factory):
    with pytest.raises((PermissionDenied, lifecycle.Unauthenticated)):
        _seal(seal, principal=principal_factory())

    assert not SealUse.objects.exists()
    assert (
        AuditEntry.objects.filter(action="seals.seal.use").exclude(outcome="success").count() == 1
    )


def test_the_organizations_system_with_the_scope_may_seal(seal):
    system = Principal(
        kind="machine",
        id="7",
        organization_id=seal.organization_id,
        scopes=frozenset({"seals:use"}),
    )
    sealed = _seal(seal, principal=system)
    assert pdf_verify(pdf=sealed)[0].verdict == "valid"
    assert SealUse.objects.get().actor == "machine:7"


def test_unknown_seal_is_not_found():
    with pytest.raises(NotFound):
        pdf_seal(principal=admin_principal(), seal_id=999999, pdf=pdf_make(), reason="x")


def _encrypted_pdf() -> bytes:
    from pyhanko.pdf_utils.crypt import StandardSecurityHandler
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(pdf_make())))
    writer.security_handler = StandardSecurityHandler.build_from_pw("owner", "user")
    writer._encrypt = writer.add_object(writer.security_handler.as_pdf_object())
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "seals/pdf_missing"),
        (b"PK\x03\x04 this is a zip file", "seals/pdf_invalid"),
        (b"%PDF-1.7\n garbage with no objects", "seals/pdf_invalid"),
        (b"%PDF-1.4\n" + b"0" * (MAX_PDF_BYTES + 1), "seals/pdf_too_large"),
        ("encrypted", "seals/pdf_encrypted"),
    ],
)
def test_bad_files_are_refused_clearly_and_audited(seal, content, code):
    pdf = _encrypted_pdf() if content == "encrypted" else content

    with pytest.raises(ValidationFailed) as error:
        _seal(seal, pdf) if pdf else pdf_seal(
            principal=admin_principal(), seal_id=seal.pk, pdf=pdf, reason="x"
        )

    assert error.value.code == code
    assert not SealUse.objects.exists()
    assert AuditEntry.objects.filter(action="seals.seal.use", outcome="failure").count() == 1


def test_reason_and_placement_are_checked(seal):
    with pytest.raises(ValidationFailed):
        _seal(seal, reason="  ")
    with pytest.raises(ValidationFailed):
        _seal(seal, page=3)
    with pytest.raises(ValidationFailed):
        _seal(seal, box=(0, 0, 10000, 10000))
    sealed = _seal(seal, pdf_make(pages=2), page=-1)
    assert pdf_verify(pdf=sealed)[0].verdict == "valid"


def test_verify_refuses_what_is_not_a_pdf_and_audits_every_check(seal):
    with pytest.raises(ValidationFailed):
        pdf_verify(pdf=b"hello")
    pdf_verify(pdf=_seal(seal))
    outcomes = list(
        AuditEntry.objects.filter(action="seals.pdf.verify")
        .order_by("seq")
        .values_list("outcome", flat=True)
    )
    assert outcomes == ["failure", "success"]


def _timestamp_query(data: bytes = b"document") -> tsp.TimeStampReq:
    return tsp.TimeStampReq(
        {
            "version": 1,
            "message_imprint": {
                "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                "hashed_message": hashlib.sha256(data).digest(),
            },
            "nonce": 123456789,
            "cert_req": True,
        }
    )


def test_time_stamping_authority_answers_rfc3161_requests():
    from pyhanko.sign.timestamps.api import handle_tsp_response
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
    from pyhanko_certvalidator import ValidationContext

    from ..selectors.verification import _trust_roots

    reply = tsp.TimeStampResp.load(timestamp_respond(query=_timestamp_query().dump()))

    assert reply["status"]["status"].native == "granted"
    token = handle_tsp_response(reply, 123456789)
    info = token["content"]["encap_content_info"]["content"].parsed
    assert info["nonce"].native == 123456789
    assert info["message_imprint"]["hashed_message"].native == (
        hashlib.sha256(b"document").digest()
    )
    status = asyncio.run(
        validate_tst_signed_data(
            token["content"],
            ValidationContext(trust_roots=_trust_roots(), allow_fetching=False),
            lambda _algorithm: hashlib.sha256(b"document").digest(),
        )
    )
    assert status["intact"] and status["valid"]
    assert status["trust_problem_indic"] is None and status["validation_path"] is not None


def _reply_status(reply: bytes) -> str:
    """The status of a TimeStampResp that may lack its (optional) token."""
    from asn1crypto import core

    return tsp.PKIStatusInfo.load(core.Sequence.load(reply)[0].dump())["status"].native


def test_time_stamping_authority_rejects_garbage():
    assert _reply_status(timestamp_respond(query=b"\x30\x03\x02\x01\x05")) == "rejection"
    assert _reply_status(timestamp_respond(query=b"not der")) == "rejection"
    assert _reply_status(timestamp_respond(query=_timestamp_query().dump())) == "granted"
