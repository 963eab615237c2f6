"""电子印章: sealing a PDF (PAdES B-T: appearance, ECDSA P-256 signature through
kernel.crypto, RFC 3161 time stamp from the in-process platform TSA, use log, audit entry,
event) and verifying a sealed PDF (pyHanko validation against the platform CA, status
history lookup, audit entry), in process on a throw-away SQLite database.

Baseline in the same run: the bare ECDSA P-256 signature through kernel.crypto, i.e. what a
seal would cost without PDF work; the ratio shows what the PDF machinery adds.

python -m bench seals_sign
  DIGIGOV_BENCH_SEALS  documents per phase (default 60; --quick: 15)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

from bench.common import Figure, latency_summary, rate, report

QUICK = "--quick" in sys.argv or os.environ.get("DIGIGOV_BENCH_QUICK") == "1"
COUNT = int(os.environ.get("DIGIGOV_BENCH_SEALS", "15" if QUICK else "60"))


def _django() -> None:
    import django
    from django.apps import apps

    if not apps.ready:
        path = os.path.join(tempfile.mkdtemp(prefix="digigov-bench-seals-"), "db.sqlite3")
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digigov.settings")
        django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> None:
    _django()
    from digigov.kernel.crypto import services as crypto
    from digigov.support.seals.selectors.verification import pdf_verify
    from digigov.support.seals.services.sealing import pdf_seal
    from digigov.support.seals.testing import admin_principal, pdf_make, seal_make

    seal = seal_make()
    principal = admin_principal()
    document = pdf_make("Bench document")
    pdf_seal(principal=principal, seal_id=seal.pk, pdf=document, reason="warm-up")

    start = time.perf_counter()
    for _ in range(COUNT * 20):
        crypto.sign(key_id=seal.key_id, data=document)
    bare = rate(COUNT * 20, time.perf_counter() - start)

    sealed, latencies = [], []
    start = time.perf_counter()
    for number in range(COUNT):
        t = time.perf_counter()
        sealed.append(
            pdf_seal(principal=principal, seal_id=seal.pk, pdf=document, reason=f"基准 {number}")
        )
        latencies.append(time.perf_counter() - t)
    seal_rate = rate(COUNT, time.perf_counter() - start)

    verify_latencies, valid = [], 0
    start = time.perf_counter()
    for pdf in sealed:
        t = time.perf_counter()
        valid += pdf_verify(pdf=pdf)[0].is_valid
        verify_latencies.append(time.perf_counter() - t)
    verify_rate = rate(COUNT, time.perf_counter() - start)

    report(
        "seals_sign",
        [
            Figure(
                "PDF sealed per second (PAdES B-T, TSA, use log)",
                seal_rate,
                "/s",
                baseline_name="bare ECDSA P-256 signature",
                baseline_value=bare,
                extra={"documents": COUNT, **latency_summary(latencies)},
            ),
            Figure(
                "sealed PDF verified per second",
                verify_rate,
                "/s",
                baseline_name="bare ECDSA P-256 signature",
                baseline_value=bare,
                extra={"documents": COUNT, "valid": valid, **latency_summary(verify_latencies)},
            ),
        ],
    )


if __name__ == "__main__":
    main()
