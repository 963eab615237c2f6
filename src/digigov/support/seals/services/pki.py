"""The platform's seal PKI: a root CA and a time-stamping authority (TSA), made on first use,
and the X.509 certificates of seals. Every private key stays in kernel.crypto.

`cryptography.x509` builds each certificate, but its builder only signs with an in-memory
private key. So the certificate is first built with a throwaway P-256 key (the signature
algorithm, ecdsa-with-SHA256, is the same for any P-256 key and the issuer name and authority
key identifier are set explicitly), then its to-be-signed part is signed by kernel.crypto with
the CA's key and the certificate is reassembled (asn1crypto) around that signature."""

from __future__ import annotations

import datetime as dt
import secrets

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.db import IntegrityError, transaction
from django.utils import timezone

from digigov.kernel.crypto import services as crypto
from digigov.kernel.crypto.base import CryptoError

from ..models import Authority

ALGORITHM = "ecdsa-p256"  # PDF readers do not validate SM2: see kernel.crypto ECDSAP256
CA_PURPOSE = "seal-ca"
TSA_PURPOSE = "seal-tsa"
SEAL_PURPOSE = "seal"
OWNER = "platform"
ROOT_NAME = "广东省数字政府电子印章根证书"
TSA_NAME = "广东省数字政府时间戳服务"
OPERATOR = "广东省政务服务数据管理局"
ROOT_YEARS = 20
TSA_YEARS = 10
SEAL_YEARS = 3


def _name(common_name: str, organization: str, serial_number: str = "") -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "广东省"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    if serial_number:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial_number))
    return x509.Name(attributes)


def _public_key(key_id: str, *, purpose: str, owner: str) -> ec.EllipticCurvePublicKey:
    found = [k for k in crypto.public_keys(purpose=purpose, owner=owner) if k.key_id == key_id]
    if not found:
        raise CryptoError(f"密钥不存在：{key_id}")
    return serialization.load_der_public_key(found[0].public_der)


def _sign_certificate(builder: x509.CertificateBuilder, *, issuer_key_id: str) -> bytes:
    """DER of the certificate, its signature made by kernel.crypto (see module docstring)."""
    draft = builder.sign(ec.generate_private_key(ec.SECP256R1()), hashes.SHA256())
    tbs = draft.tbs_certificate_bytes
    signature = crypto.sign(key_id=issuer_key_id, data=tbs)
    return asn1_x509.Certificate(
        {
            "tbs_certificate": asn1_x509.TbsCertificate.load(tbs),
            "signature_algorithm": {"algorithm": "sha256_ecdsa"},
            "signature_value": signature,
        }
    ).dump()


def _builder(
    *,
    subject: x509.Name,
    issuer: x509.Name,
    public_key: ec.EllipticCurvePublicKey,
    issuer_public_key: ec.EllipticCurvePublicKey,
    not_before: dt.datetime,
    not_after: dt.datetime,
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(int.from_bytes(secrets.token_bytes(16), "big") >> 1)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public_key), critical=False
        )
    )


def _years_later(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def _root_create() -> Authority:
    key_id = crypto.key_create(purpose=CA_PURPOSE, owner=OWNER, algorithm=ALGORITHM).key_id
    public = _public_key(key_id, purpose=CA_PURPOSE, owner=OWNER)
    now = timezone.now().replace(microsecond=0)
    name = _name(ROOT_NAME, OPERATOR)
    builder = (
        _builder(
            subject=name,
            issuer=name,
            public_key=public,
            issuer_public_key=public,
            not_before=now - dt.timedelta(minutes=5),
            not_after=_years_later(now, ROOT_YEARS),
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    return Authority.objects.create(
        role=Authority.Role.ROOT,
        key_id=key_id,
        certificate_der=_sign_certificate(builder, issuer_key_id=key_id),
        subject=ROOT_NAME,
        valid_from=now - dt.timedelta(minutes=5),
        valid_until=_years_later(now, ROOT_YEARS),
    )


def _leaf_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,  # non-repudiation: what PDF signature validators require
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _tsa_create(root: Authority) -> Authority:
    key_id = crypto.key_create(purpose=TSA_PURPOSE, owner=OWNER, algorithm=ALGORITHM).key_id
    now = timezone.now().replace(microsecond=0)
    root_cert = x509.load_der_x509_certificate(bytes(root.certificate_der))
    not_after = min(_years_later(now, TSA_YEARS), root.valid_until)
    builder = (
        _builder(
            subject=_name(TSA_NAME, OPERATOR),
            issuer=root_cert.subject,
            public_key=_public_key(key_id, purpose=TSA_PURPOSE, owner=OWNER),
            issuer_public_key=_public_key(root.key_id, purpose=CA_PURPOSE, owner=OWNER),
            not_before=now - dt.timedelta(minutes=5),
            not_after=not_after,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_leaf_key_usage(), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    )
    return Authority.objects.create(
        role=Authority.Role.TSA,
        key_id=key_id,
        certificate_der=_sign_certificate(builder, issuer_key_id=root.key_id),
        subject=TSA_NAME,
        valid_from=now - dt.timedelta(minutes=5),
        valid_until=not_after,
    )


def authorities_ensure() -> tuple[Authority, Authority]:
    """(root CA, TSA), created on first use. Two hosts creating them at the same moment
    collide on the partial unique index: the loser reads the winner's."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                root = Authority.objects.filter(role="root", is_active=True).first()
                if root is None:
                    root = _root_create()
                tsa = Authority.objects.filter(role="tsa", is_active=True).first()
                if tsa is None:
                    tsa = _tsa_create(root)
                return root, tsa
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def seal_certificate_issue(
    *,
    key_id: str,
    key_owner: str,
    seal_name: str,
    organization_name: str,
    organization_code: str,
    now: dt.datetime | None = None,
) -> tuple[bytes, int, dt.datetime, dt.datetime]:
    """(certificate DER, serial number, not before, not after) for a seal's key, issued by
    the platform CA. Subject CN = seal name, O = organization, serialNumber = its code."""
    root, _tsa = authorities_ensure()
    now = (now or timezone.now()).replace(microsecond=0)
    root_cert = x509.load_der_x509_certificate(bytes(root.certificate_der))
    not_before = now - dt.timedelta(minutes=5)
    not_after = min(_years_later(now, SEAL_YEARS), root.valid_until)
    builder = (
        _builder(
            subject=_name(seal_name, organization_name, organization_code),
            issuer=root_cert.subject,
            public_key=_public_key(key_id, purpose=SEAL_PURPOSE, owner=key_owner),
            issuer_public_key=_public_key(root.key_id, purpose=CA_PURPOSE, owner=OWNER),
            not_before=not_before,
            not_after=not_after,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_leaf_key_usage(), critical=True)
    )
    der = _sign_certificate(builder, issuer_key_id=root.key_id)
    serial = x509.load_der_x509_certificate(der).serial_number
    return der, serial, not_before, not_after
