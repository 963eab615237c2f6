"""SM2 signatures per second through digigov.kernel.crypto.services (Tongsuo, C), against
pure-Python gmssl in the same run; Ed25519 through the same interface for comparison.

python -m bench crypto_sm2   (a few seconds; each measurement is a bounded iteration count,
calibrated from a short trial so that it lasts about one second)
"""

from __future__ import annotations

import gc
import os
import re
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable

from bench.common import Figure, rate, report

TARGET_SIGNS = 1500
MESSAGE = "电子证照 44030019900101123X 有效期至 2030-12-31 签发机关 深圳市市场监督管理局".encode()
SECONDS_PER_MEASUREMENT = 1.0
MIN_ITERATIONS, MAX_ITERATIONS = 20, 50_000


def _django() -> None:
    """Set Django up on a throw-away in-memory SQLite database (keys live in the database)."""
    import django
    from django.apps import apps

    if not apps.ready:
        os.environ["DATABASE_URL"] = "sqlite://:memory:"  # read by settings at setup
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digigov.settings")
        django.setup()
    # Run after other benchmarks in one process: Django is already set up on their
    # database; create the key table only if it is missing there.
    from django.db import connection

    from digigov.kernel.crypto.models import CryptoKey

    if CryptoKey._meta.db_table not in connection.introspection.table_names():
        with connection.schema_editor() as editor:
            editor.create_model(CryptoKey)


def _measure(operations: dict[str, Callable[[], object]], *, rounds: int = 3) -> dict:
    """{name: (operations per second, iterations)}.

    A short trial sizes each operation's run (bounded count, ~1 s each); the runs are split
    into rounds that alternate between the operations in rotating order, and the median
    round counts, so that a burst of load on a shared machine hurts all of them alike."""
    sizes = {}
    for name, operation in operations.items():
        start = time.perf_counter()
        for _ in range(MIN_ITERATIONS):
            operation()
        per_second = rate(MIN_ITERATIONS, time.perf_counter() - start)
        wanted = per_second * SECONDS_PER_MEASUREMENT / rounds
        sizes[name] = int(min(MAX_ITERATIONS, max(MIN_ITERATIONS // 2, wanted)))
    samples: dict[str, list[float]] = {name: [] for name in operations}
    names = list(operations)
    for round_number in range(rounds):
        # Rotate the order, and collect garbage outside the timing (gmssl leaves plenty).
        for name in names[round_number % len(names) :] + names[: round_number % len(names)]:
            operation = operations[name]
            gc.collect()
            start = time.perf_counter()
            for _ in range(sizes[name]):
                operation()
            samples[name].append(rate(sizes[name], time.perf_counter() - start))
    return {name: (statistics.median(samples[name]), sizes[name] * rounds) for name in operations}


def _openssl_speed_sm2() -> float | None:
    """`openssl speed sm2` signs/s of the system OpenSSL, for reference (None if absent)."""
    if shutil.which("openssl") is None:
        return None
    try:
        out = subprocess.run(
            ["openssl", "speed", "-seconds", "1", "sm2"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    except (subprocess.SubprocessError, OSError):
        return None
    match = re.search(r"SM2 \(CurveSM2\)\s+\S+s\s+\S+s\s+([\d.]+)", out)
    return float(match.group(1)) if match else None


def _gmssl_client(private_der: bytes, public_der: bytes):
    """A gmssl CryptSM2 holding the same key pair as our key store."""
    from gmssl import sm2
    from tongsuopy.crypto import serialization

    private = serialization.load_der_private_key(private_der, password=None)
    public_hex = public_der[-64:].hex()  # x || y of the uncompressed point
    client = sm2.CryptSM2(
        private_key=f"{private.private_numbers().private_value:064x}", public_key=""
    )
    client.public_key = public_hex  # (gmssl's constructor lstrip("04")s leading digits away)
    return client


def main() -> None:
    _django()
    from cryptography.hazmat.primitives.asymmetric.utils import (
        decode_dss_signature,
        encode_dss_signature,
    )

    from digigov.kernel.crypto import registry, services
    from digigov.kernel.crypto.models import CryptoKey

    sm2_key = services.key_create(purpose="bench-sm2", algorithm="sm2")
    ed_key = services.key_create(purpose="bench-ed25519", algorithm="ed25519")
    try:
        # Keys are cached after first use, as in production.
        sm2_signature = services.sign(key_id=sm2_key.key_id, data=MESSAGE)
        ed_signature = services.sign(key_id=ed_key.key_id, data=MESSAGE)
        # The bare provider (Tongsuo) without key lookup: the interface's own overhead.
        private_der = services._load(sm2_key.key_id)[1]
        provider = registry.signing_algorithm("sm2")
        # Pure-Python gmssl with the same key pair: the baseline.
        gmssl = _gmssl_client(private_der, bytes(sm2_key.public_der))
        r, s = decode_dss_signature(sm2_signature)
        raw_signature = f"{r:064x}{s:064x}"
        gmssl_signature = gmssl.sign_with_sm3(MESSAGE)

        signs = _measure(
            {
                "sm2": lambda: services.sign(key_id=sm2_key.key_id, data=MESSAGE),
                "bare": lambda: provider.sign(private_der, MESSAGE),
                "gmssl": lambda: gmssl.sign_with_sm3(MESSAGE),
                "ed25519": lambda: services.sign(key_id=ed_key.key_id, data=MESSAGE),
            }
        )
        verifies = _measure(
            {
                "sm2": lambda: services.verify(
                    key_id=sm2_key.key_id, data=MESSAGE, signature=sm2_signature
                ),
                "gmssl": lambda: gmssl.verify_with_sm3(raw_signature, MESSAGE),
                "ed25519": lambda: services.verify(
                    key_id=ed_key.key_id, data=MESSAGE, signature=ed_signature
                ),
            }
        )
        (sm2_sign, sm2_sign_n), (raw_sign, _) = signs["sm2"], signs["bare"]
        (gmssl_sign, gmssl_sign_n), (ed_sign, ed_sign_n) = signs["gmssl"], signs["ed25519"]
        (sm2_verify, sm2_verify_n), (gmssl_verify, gmssl_verify_n) = (
            verifies["sm2"],
            verifies["gmssl"],
        )
        ed_verify, ed_verify_n = verifies["ed25519"]

        # The figures mean nothing if the signatures are wrong: cross-check both directions.
        interop = bool(gmssl.verify_with_sm3(raw_signature, MESSAGE)) and services.verify(
            key_id=sm2_key.key_id,
            data=MESSAGE,
            signature=encode_dss_signature(
                int(gmssl_signature[:64], 16), int(gmssl_signature[64:], 16)
            ),
        )
        if not interop:
            raise SystemExit("SM2 signatures do not interoperate with gmssl: figures void")
    finally:
        CryptoKey.objects.filter(key_id__in=[sm2_key.key_id, ed_key.key_id]).delete()
        services.cache_clear()

    openssl_sign = _openssl_speed_sm2()
    report(
        "crypto_sm2",
        [
            Figure(
                "SM2 sign via digigov.kernel.crypto (Tongsuo)",
                sm2_sign,
                "signs/s",
                baseline_name="gmssl (pure Python)",
                baseline_value=gmssl_sign,
                target=f">= {TARGET_SIGNS:,} signs/s",
                extra={
                    "iterations": sm2_sign_n,
                    "baseline_iterations": gmssl_sign_n,
                    "bare_tongsuo_signs_per_s": round(raw_sign, 1),
                    "system_openssl_speed_sm2_signs_per_s": openssl_sign,
                    "meets_target": sm2_sign >= TARGET_SIGNS,
                    "interoperates_with_gmssl": interop,
                },
            ),
            Figure(
                "SM2 verify via digigov.kernel.crypto (Tongsuo)",
                sm2_verify,
                "verifies/s",
                baseline_name="gmssl (pure Python)",
                baseline_value=gmssl_verify,
                extra={"iterations": sm2_verify_n, "baseline_iterations": gmssl_verify_n},
            ),
            Figure(
                "Ed25519 sign via digigov.kernel.crypto (OpenSSL)",
                ed_sign,
                "signs/s",
                baseline_name="SM2 sign, same interface",
                baseline_value=sm2_sign,
                extra={"iterations": ed_sign_n},
            ),
            Figure(
                "Ed25519 verify via digigov.kernel.crypto (OpenSSL)",
                ed_verify,
                "verifies/s",
                baseline_name="SM2 verify, same interface",
                baseline_value=sm2_verify,
                extra={"iterations": ed_verify_n},
            ),
        ],
    )


if __name__ == "__main__":
    main()
