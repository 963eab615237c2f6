"""pyHanko glue: a Signer and an RFC 3161 time stamper whose private-key operations go to
kernel.crypto, and the PAdES B-T signing of one PDF with a seal's appearance.

pyHanko is asynchronous: `async_to_sync` runs its event loop in a helper thread while this
thread waits, and the raw-signing calls come back here through `sync_to_async(...,
thread_sensitive=True)`, so kernel.crypto reads its key on the caller's own database
connection (inside the caller's transaction, outside any event loop)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from asgiref.sync import async_to_sync, sync_to_async
from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.content import PdfContent
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError, as_signing_certificate, simple_cms_attribute
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from digigov.kernel.crypto import services as crypto

MD = "sha256"
_ECDSA = algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"})
_ECDSA_P256_MAX = 72  # longest DER ECDSA-P256 signature: room reserved in the PDF


def _kernel_sign(key_id: str, data: bytes) -> bytes:
    return crypto.sign(key_id=key_id, data=data)


class KernelSigner(signers.Signer):
    """A pyHanko Signer that never holds the private key: raw signatures come from
    kernel.crypto (ECDSA P-256 with SHA-256 over pyHanko's signed attributes)."""

    def __init__(
        self, *, key_id: str, certificate: asn1_x509.Certificate, chain: list[asn1_x509.Certificate]
    ):
        self._key_id = key_id
        super().__init__(
            signing_cert=certificate,
            cert_registry=SimpleCertificateStore.from_certs([certificate, *chain]),
            signature_mechanism=_ECDSA,
            embed_roots=True,
        )

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        if digest_algorithm != MD:
            raise SigningError(f"印章签名只支持 {MD}")
        if dry_run:
            return bytes(_ECDSA_P256_MAX)
        return await sync_to_async(_kernel_sign, thread_sensitive=True)(self._key_id, data)


class PlatformTimeStamper(DummyTimeStamper):
    """The platform's RFC 3161 time-stamping authority, in process. pyHanko's
    DummyTimeStamper builds a real TimeStampToken (TSTInfo in CMS SignedData, signed
    attributes with the ESS signing-certificate); only its signing step (RSA with an
    in-memory key) is replaced by ECDSA through kernel.crypto. Tokens are always signed with
    SHA-256, whatever hash the request's message imprint uses."""

    def __init__(
        self, *, key_id: str, certificate: asn1_x509.Certificate, root: asn1_x509.Certificate
    ):
        self._key_id = key_id
        super().__init__(
            tsa_cert=certificate,
            tsa_key=None,
            certs_to_embed=SimpleCertificateStore.from_certs([root]),
            override_md=MD,
        )

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, dt):
        # the parent builds these signed attributes and then signs with its RSA key:
        # build the same attributes and sign them through kernel.crypto instead
        digest = hashes.Hash(hashes.SHA256())
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                simple_cms_attribute("signing_certificate", as_signing_certificate(self.tsa_cert)),
                simple_cms_attribute("message_digest", digest.finalize()),
            ]
        )
        return _kernel_sign(self._key_id, signed_attrs.dump()), signed_attrs

    def _build_signed_data(self, tst_info_data, md_algorithm, signature, signed_attrs):
        signed_data = super()._build_signed_data(
            tst_info_data, md_algorithm, signature, signed_attrs
        )
        for signer_info in signed_data["signer_infos"]:
            signer_info["signature_algorithm"] = _ECDSA
        return signed_data

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return await sync_to_async(self.request_tsa_response, thread_sensitive=True)(req)


class _PdfBytesPage(PdfContent):
    """The first page of a PDF held in memory, as the stamp's background (pyHanko's own
    ImportedPdfPage reads from a file name)."""

    def __init__(self, pdf: bytes):
        self._pdf = pdf
        super().__init__()

    def render(self) -> bytes:
        xobject = self._ensure_writer.import_page_as_xobject(
            PdfFileReader(io.BytesIO(self._pdf)), page_ix=0
        )
        name = "/SealAppearance"
        self.resources.xobject[name] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return f"{name} Do".encode()


@dataclass(frozen=True)
class SealMaterial:
    """What signing needs from a seal: its key id, certificate and appearance."""

    key_id: str
    certificate_der: bytes
    root_der: bytes
    tsa_key_id: str
    tsa_certificate_der: bytes
    appearance_pdf: bytes
    signer_name: str


def timestamper_for(*, tsa_key_id: str, tsa_der: bytes, root_der: bytes) -> PlatformTimeStamper:
    return PlatformTimeStamper(
        key_id=tsa_key_id,
        certificate=asn1_x509.Certificate.load(tsa_der),
        root=asn1_x509.Certificate.load(root_der),
    )


def signature_field_names(writer: IncrementalPdfFileWriter) -> list[str]:
    return [name for name, _value, _ref in fields.enumerate_sig_fields(writer.prev)]


def pdf_sign(
    *,
    writer: IncrementalPdfFileWriter,
    material: SealMaterial,
    reason: str,
    location: str,
    page: int,
    box: tuple[int, int, int, int],
) -> bytes:
    """A visible PAdES B-T signature (signature time stamp from the platform TSA)."""
    existing = set(signature_field_names(writer))
    number = len(existing) + 1
    while f"Seal{number}" in existing:
        number += 1
    field_name = f"Seal{number}"
    root = asn1_x509.Certificate.load(material.root_der)
    signer = KernelSigner(
        key_id=material.key_id,
        certificate=asn1_x509.Certificate.load(material.certificate_der),
        chain=[root],
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm=MD,
        reason=reason,
        location=location,
        name=material.signer_name,
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    pdf_signer = signers.PdfSigner(
        metadata,
        signer=signer,
        timestamper=timestamper_for(
            tsa_key_id=material.tsa_key_id,
            tsa_der=material.tsa_certificate_der,
            root_der=material.root_der,
        ),
        stamp_style=StaticStampStyle(
            background=_PdfBytesPage(material.appearance_pdf),
            background_opacity=1.0,
            border_width=0,
        ),
        new_field_spec=fields.SigFieldSpec(sig_field_name=field_name, on_page=page, box=box),
    )
    output = io.BytesIO()
    async_to_sync(pdf_signer.async_sign_pdf)(writer, output=output)
    return output.getvalue()
