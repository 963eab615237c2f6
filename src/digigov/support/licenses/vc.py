"""W3C Verifiable Credentials 2.0 for licenses: Data Integrity proofs with the JCS
cryptosuites and W3C Bitstring Status Lists. Pure functions, no database: a verifier (our
public verification page, a bank's system, an offline app) checks a credential with only
the published keys (GET /api/v1/licenses/keys) and, for status, the list credentials.

Cryptosuites (https://www.w3.org/TR/vc-di-eddsa/, section "eddsa-jcs-2022"):

- `eddsa-jcs-2022` for Ed25519 keys, as the W3C Recommendation defines it: the proof
  configuration (the proof without proofValue, with the document's @context) and the
  document without its proof are each canonicalised with RFC 8785 (JCS) and hashed with
  SHA-256; the signature covers proofConfigHash || documentHash; proofValue is the
  signature in base58btc multibase ("z...").
- `sm2-jcs-2025` for SM2 keys: the same construction with SM3 (GB/T 32905) as the hash and
  an SM2 signature (GB/T 32918, DER-encoded, default signer ID) over the same 64 bytes. This
  is digigov's national-crypto profile of the JCS suite, not an entry of the W3C registry:
  generic W3C verifiers will not know it; ours and any that implement this paragraph do.

Bitstring Status List (https://www.w3.org/TR/vc-bitstring-status-list/): the list is
GZIP-compressed, then base64url without padding, with the multibase prefix "u"; the
left-most bit of the first byte is index 0.
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime as dt
import gzip
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import rfc8785

from digigov.kernel.crypto import registry as crypto_registry
from digigov.kernel.crypto.base import CryptoError

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
LICENSE_CREDENTIAL_TYPE = "GovernmentLicenseCredential"
STATUS_LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
PROOF_TYPE = "DataIntegrityProof"
PROOF_PURPOSE = "assertionMethod"
# key algorithm -> (cryptosuite, hash algorithm)
CRYPTOSUITES: dict[str, tuple[str, str]] = {
    "ed25519": ("eddsa-jcs-2022", "sha256"),
    "sm2": ("sm2-jcs-2025", "sm3"),
}
SUITE_ALGORITHM = {suite: algorithm for algorithm, (suite, _hash) in CRYPTOSUITES.items()}

# --- base58btc and multibase --------------------------------------------------------------

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {char: value for value, char in enumerate(_B58)}


def base58btc_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rest = divmod(number, 58)
        out.append(_B58[rest])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        if char not in _B58_INDEX:
            raise ValueError("not base58btc")
        number = number * 58 + _B58_INDEX[char]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_base58btc(data: bytes) -> str:
    return "z" + base58btc_encode(data)


def multibase_base58btc_decode(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("z") or len(text) < 2:
        raise ValueError("not a base58btc multibase value")
    return base58btc_decode(text[1:])


_ED25519_SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")
_ED25519_MULTICODEC = b"\xed\x01"


def ed25519_multikey(public_der: bytes) -> str:
    """The W3C Multikey form of an Ed25519 public key ("z6Mk...") from its SPKI DER."""
    if len(public_der) != 44 or not public_der.startswith(_ED25519_SPKI_PREFIX):
        raise ValueError("not an Ed25519 SubjectPublicKeyInfo")
    return multibase_base58btc(_ED25519_MULTICODEC + public_der[12:])


# --- Bitstring Status List ----------------------------------------------------------------


def bitstring_encode(bits: bytes) -> str:
    """encodedList: multibase base64url (no padding) of the GZIP-compressed bitstring."""
    compressed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def bitstring_decode(encoded_list: str) -> bytes:
    """The bitstring of an encodedList; ValueError when it is not one."""
    if not isinstance(encoded_list, str) or not encoded_list.startswith("u"):
        raise ValueError("encodedList must be multibase base64url ('u' prefix)")
    body = encoded_list[1:]
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        return gzip.decompress(compressed)
    except (binascii.Error, OSError, EOFError) as exc:
        raise ValueError("encodedList is not GZIP-compressed base64url") from exc


def bit_get(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise ValueError("status index outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def bit_set(bits: bytearray, index: int, value: bool) -> None:
    if not 0 <= index < len(bits) * 8:
        raise ValueError("status index outside the list")
    mask = 0x80 >> (index % 8)
    if value:
        bits[index // 8] |= mask
    else:
        bits[index // 8] &= ~mask & 0xFF


def status_bit(encoded_list: str, index: int) -> bool:
    """Is entry `index` set in a list credential's encodedList? (Offline, no database.)"""
    return bit_get(bitstring_decode(encoded_list), int(index))


# --- Data Integrity proofs (JCS cryptosuites) ---------------------------------------------


def _hash_data(unsecured: dict[str, Any], proof_config: dict[str, Any], hash_name: str) -> bytes:
    hasher = crypto_registry.hash_algorithm(hash_name)
    return hasher.digest(rfc8785.dumps(proof_config)) + hasher.digest(rfc8785.dumps(unsecured))


def xsd_datetime(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def proof_add(
    document: dict[str, Any],
    *,
    algorithm: str,
    verification_method: str,
    sign: Callable[[bytes], bytes],
    created: dt.datetime,
) -> dict[str, Any]:
    """A copy of `document` secured with a DataIntegrityProof of the algorithm's cryptosuite;
    `sign(data) -> signature` signs with the private key `verification_method` names."""
    if algorithm not in CRYPTOSUITES:
        raise CryptoError(f"没有适用于 {algorithm} 的密码套件")
    cryptosuite, hash_name = CRYPTOSUITES[algorithm]
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": cryptosuite,
        "created": xsd_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": PROOF_PURPOSE,
    }
    if "@context" in unsecured:
        proof["@context"] = unsecured["@context"]
    signature = sign(_hash_data(unsecured, proof, hash_name))
    return {**unsecured, "proof": {**proof, "proofValue": multibase_base58btc(signature)}}


@dataclass(frozen=True)
class VerificationKey:
    key_id: str
    algorithm: str  # "sm2" | "ed25519"
    public_der: bytes
    issuer_code: str = ""


@dataclass(frozen=True)
class ProofCheck:
    """The result of checking a credential's proof. `code` is stable: valid, malformed,
    key_unknown, cryptosuite_unsupported, key_mismatch, issuer_mismatch, signature_invalid."""

    is_valid: bool
    code: str
    message: str
    key_id: str = ""
    cryptosuite: str = ""
    issuer_id: str = ""


def _fail(code: str, message: str, **more: str) -> ProofCheck:
    return ProofCheck(False, code, message, **more)


def issuer_id_of(credential: Mapping[str, Any]) -> str:
    issuer = credential.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else ""


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def credential_verify(
    credential: Any, *, keys: Mapping[str, VerificationKey] | list[VerificationKey]
) -> ProofCheck:
    """Check a secured credential's proof offline, with the published keys (by key id).
    Never raises on bad input: a malformed or tampered credential is a result, not a crash."""
    if isinstance(credential, str | bytes):
        try:
            credential = json.loads(credential)
        except ValueError:
            return _fail("malformed", "不是有效的 JSON 凭证")
    if not isinstance(credential, Mapping):
        return _fail("malformed", "凭证应为 JSON 对象")
    proof = credential.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, Mapping):
        return _fail("malformed", "凭证没有签名证明（proof）")
    cryptosuite = proof.get("cryptosuite")
    if proof.get("type") != PROOF_TYPE or cryptosuite not in SUITE_ALGORITHM:
        return _fail("cryptosuite_unsupported", "不支持的签名证明类型或密码套件")
    if proof.get("proofPurpose") != PROOF_PURPOSE:
        return _fail("malformed", "签名证明的用途不是 assertionMethod")
    method = proof.get("verificationMethod")
    issuer_id = issuer_id_of(credential)
    if not isinstance(method, str) or "#" not in method:
        return _fail("malformed", "签名证明缺少验证方法（verificationMethod）")
    method_base, _, key_id = method.rpartition("#")
    if not issuer_id or method_base != issuer_id:
        return _fail("issuer_mismatch", "签名密钥不属于凭证的颁发单位", key_id=key_id)
    by_id = keys if isinstance(keys, Mapping) else {k.key_id: k for k in keys}
    key = by_id.get(key_id)
    if key is None:
        return _fail("key_unknown", f"未知的签名密钥：{key_id}", key_id=key_id)
    # A published key signs only for its own department: naming issuer X while signing with
    # department Y's (valid, published) key must fail.
    if key.issuer_code and issuer_id.rstrip("/").rpartition("/")[2] != key.issuer_code:
        return _fail("issuer_mismatch", "签名密钥不属于凭证的颁发单位", key_id=key_id)
    if SUITE_ALGORITHM[cryptosuite] != key.algorithm:
        return _fail("key_mismatch", "密钥算法与密码套件不符", key_id=key_id)
    try:
        signature = multibase_base58btc_decode(proof.get("proofValue"))
    except ValueError:
        return _fail("malformed", "签名值（proofValue）格式无效", key_id=key_id)
    unsecured = {k: v for k, v in credential.items() if k != "proof"}
    options = {k: copy.deepcopy(v) for k, v in proof.items() if k != "proofValue"}
    if "@context" in options:
        context = _as_list(options["@context"])
        if _as_list(unsecured.get("@context"))[: len(context)] != context:
            return _fail("malformed", "签名证明的 @context 与凭证不符", key_id=key_id)
        unsecured["@context"] = options["@context"]
    try:
        data = _hash_data(unsecured, options, CRYPTOSUITES[key.algorithm][1])
        ok = crypto_registry.signing_algorithm(key.algorithm).verify(
            key.public_der, data, signature
        )
    except (CryptoError, TypeError, ValueError, OverflowError):
        return _fail("malformed", "凭证内容无法规范化或密钥无效", key_id=key_id)
    if not ok:
        return _fail("signature_invalid", "签名验证失败：凭证内容已被篡改或签名无效", key_id=key_id)
    return ProofCheck(True, "valid", "签名有效", key_id, cryptosuite, issuer_id)


@dataclass(frozen=True)
class StatusEntry:
    purpose: str  # "revocation" | "suspension"
    list_credential: str  # URL of the BitstringStatusListCredential
    index: int


def credential_status_entries(credential: Mapping[str, Any]) -> list[StatusEntry]:
    """The BitstringStatusListEntry items of a credential (malformed ones are skipped)."""
    status = credential.get("credentialStatus") or []
    if isinstance(status, Mapping):
        status = [status]
    entries = []
    for item in status if isinstance(status, list) else []:
        if not isinstance(item, Mapping) or item.get("type") != "BitstringStatusListEntry":
            continue
        try:
            index = int(item.get("statusListIndex"))
        except (TypeError, ValueError):
            continue
        url = item.get("statusListCredential")
        if isinstance(url, str) and index >= 0:
            entries.append(StatusEntry(str(item.get("statusPurpose", "")), url, index))
    return entries


def credential_status(
    credential: Mapping[str, Any], *, list_credentials: Mapping[str, Mapping[str, Any]]
) -> dict[str, bool]:
    """{purpose: bit} for each status entry whose list credential is given (by its URL).
    The list credentials should themselves be checked with credential_verify first."""
    result: dict[str, bool] = {}
    for entry in credential_status_entries(credential):
        listed = list_credentials.get(entry.list_credential)
        if listed is None:
            continue
        subject = listed.get("credentialSubject") or {}
        try:
            result[entry.purpose] = status_bit(subject.get("encodedList", ""), entry.index)
        except ValueError:
            continue  # a malformed list says nothing; the caller reports it as unknown
    return result
