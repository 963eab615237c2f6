"""Shared helpers for benchmarks: timing, percentiles, concurrent HTTP load, a live server."""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_URL = os.environ.get(
    "DIGIGOV_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/digigov_bench"
)


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline_name: str = ""
    baseline_value: float | None = None
    target: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if not self.baseline_value:
            return None
        return self.value / self.baseline_value


def cpu_seconds(classify: Callable[[bytes], str | None], names: list[str]) -> dict[str, float]:
    """CPU seconds so far, per name, of the processes `classify` names by their command line
    (Linux /proc; a process it answers None for is left out): where a request's time goes."""
    tick = os.sysconf("SC_CLK_TCK")
    totals = dict.fromkeys(names, 0.0)
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                command = handle.read()
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        name = classify(command)
        if name is not None:
            totals[name] += (int(fields[11]) + int(fields[12])) / tick
    return totals


def postgres_backend_of(database: str) -> Callable[[bytes], str | None]:
    """A `cpu_seconds` classifier: the PostgreSQL backends connected to `database`."""
    marker = database.encode()

    def classify(command: bytes) -> str | None:
        return "postgres" if command.startswith(b"postgres") and marker in command else None

    return classify


def percentile(samples: list[float], pct: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def latency_summary(samples_seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples_seconds]
    return {
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "mean_ms": round(statistics.fmean(ms), 2) if ms else float("nan"),
    }


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def concurrent_load(
    fn: Callable[[int], object], *, clients: int, requests_per_client: int
) -> tuple[float, list[float], int]:
    """fn(i) performs one request; returns (seconds, latencies, errors). Bounded in count."""
    latencies: list[float] = []
    errors = 0

    def worker(client: int) -> tuple[list[float], int]:
        local, failed = [], 0
        for i in range(requests_per_client):
            t = time.perf_counter()
            try:
                fn(client * requests_per_client + i)
            except Exception:
                failed += 1
            local.append(time.perf_counter() - t)
        return local, failed

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for local, failed in pool.map(worker, range(clients)):
            latencies.extend(local)
            errors += failed
    return time.perf_counter() - start, latencies, errors


def paced_load(
    fn: Callable[[int], object], *, per_second: float, count: int, clients: int
) -> tuple[float, list[float], int]:
    """Open loop: request i is due at start + i / per_second and the next free client sends
    it. Latency counts from when it was due, so a request that waited for a free client
    counts against the server (no coordinated omission). Returns (seconds, latencies,
    errors) like concurrent_load."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    taken = iter(range(count))
    start = time.perf_counter() + 0.05

    def worker(_: int) -> tuple[list[float], int]:
        local, failed = [], 0
        while True:
            with lock:
                i = next(taken, None)
            if i is None:
                return local, failed
            due = start + i / per_second
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            try:
                fn(i)
            except Exception:
                failed += 1
            local.append(time.perf_counter() - due)

    with ThreadPoolExecutor(max_workers=clients) as pool:
        for local, failed in pool.map(worker, range(clients)):
            latencies.extend(local)
            errors += failed
    return time.perf_counter() - start, latencies, errors


@dataclass
class Reply:
    status_code: int
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.content)


class KeepAliveClient:
    """One keep-alive HTTP/1.1 connection (the standard library's http.client) with the
    subset of httpx.Client the benchmarks use. The load runs on the same 2 cores as the
    server: httpx spends several times the CPU per request, which the server then lacks."""

    def __init__(
        self,
        base_url: str,
        *,
        headers: dict[str, str] | None = None,
        cookies: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> None:
        parsed = urlsplit(base_url)
        self._address = (parsed.hostname, parsed.port, timeout)
        self._connection = http.client.HTTPConnection(*self._address)
        self._headers = dict(headers or {})
        if cookies:
            self._headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        json_body=None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        if params:
            path += "?" + urlencode(params, doseq=True)
        all_headers = {**self._headers, **(headers or {})}
        body = None
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode()
            all_headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            try:
                self._connection.request(method, path, body=body, headers=all_headers)
                response = self._connection.getresponse()
                return Reply(response.status, response.read())
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # the server closed an idle keep-alive connection: reconnect once
                self._connection.close()
                self._connection = http.client.HTTPConnection(*self._address)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def get(self, path: str, *, params: dict | None = None, headers=None) -> Reply:
        return self.request("GET", path, params=params, headers=headers)

    def post(self, path: str, *, json=None, headers=None) -> Reply:
        return self.request("POST", path, json_body=json, headers=headers)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(env: dict[str, str], *, workers: int = 2, threads: int = 8):
    """Run gunicorn on a free loopback port with the given environment; yield its base URL."""
    port = free_port()
    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "digigov.settings", **env}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "digigov.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        env=full_env,
        cwd=ROOT,
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("benchmark server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def report(bench: str, figures: list[Figure]) -> None:
    print(f"\n## {bench}")
    for f in figures:
        line = f"- {f.name}: {f.value:,.1f} {f.unit}"
        if f.baseline_value is not None:
            line += f" (baseline {f.baseline_name}: {f.baseline_value:,.1f} {f.unit}; ratio {f.ratio:.2f})"
        if f.target:
            line += f" [target {f.target}]"
        if f.extra:
            line += " " + json.dumps(f.extra, ensure_ascii=False)
        print(line)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{bench}.json").write_text(
        json.dumps([asdict(f) for f in figures], ensure_ascii=False, indent=2), encoding="utf-8"
    )
