"""python -m bench [name ...]: run the named benchmarks (default: all) and print figures."""

import importlib
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digigov.settings")

BENCHES = [
    "catalog_upload",
    "ckan_datastore_search",
    "ckan_package_search",
    "crypto_sm2",
    "exchange_lookup",
    "guide_search",
    "indicators_recompute",
    "instant_approval",
    "instant_cpu",
    "licenses_issue",
    "licenses_verify",
    "mqtt_ingest",
    "oidc_login",
    "quality_run",
    "registry_import",
    "registry_lookup",
    "seals_sign",
    "workflow",
]


def main(argv: list[str]) -> int:
    names = [a for a in argv if not a.startswith("--")] or BENCHES  # flags: read by benches
    unknown = sorted(set(names) - set(BENCHES))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHES)}")
        return 2
    for name in names:
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
