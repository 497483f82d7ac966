"""Load check (not a unit test): N concurrent visitors x M questions to /api/ask on loopback.

    python benchmarks/load.py [--url http://127.0.0.1:7860] [--visitors 50] [--questions 10]

Starts nothing: point it at a running kapbot (`make run`, with KAPBOT_RATE_LIMIT_PER_MINUTE=0 so
one loopback address is not rate-limited as a single visitor). Prints errors, p50, p95 and
requests per second, and writes benchmarks/load.md. Bounded: it stops after N x M requests.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

QUESTIONS = [
    "What is ketamine integration?", "how long is a session?", "do I really need a therapist",
    "what happens after the journey", "is KAP right for me?", "how much does it cost",
    "where are you located", "what if I have a bad trip", "how do you prepare me",
    "can therapy make ketamine work better",
]


def visitor(url: str, n: int, offset: int) -> list[tuple[float, bool]]:
    results = []
    for i in range(n):
        body = json.dumps({"question": QUESTIONS[(offset + i) % len(QUESTIONS)]}).encode()
        request = urllib.request.Request(url + "/api/ask", data=body,
                                         headers={"Content-Type": "application/json"})
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                ok = response.status == 200 and "kind" in json.loads(response.read())
        except Exception:
            ok = False
        results.append((time.perf_counter() - started, ok))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:7860")
    parser.add_argument("--visitors", type=int, default=50)
    parser.add_argument("--questions", type=int, default=10)
    args = parser.parse_args()
    if not args.url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        raise SystemExit("load tests only run against this machine (loopback)")
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.visitors) as pool:
        runs = list(pool.map(lambda v: visitor(args.url, args.questions, v),
                             range(args.visitors)))
    elapsed = time.perf_counter() - started
    latencies = sorted(t for run in runs for t, _ in run)
    errors = sum(1 for run in runs for _, ok in run if not ok)
    p50 = statistics.median(latencies) * 1000
    p95 = latencies[int(0.95 * (len(latencies) - 1))] * 1000
    report = (
        f"# Load: {args.visitors} concurrent visitors x {args.questions} questions\n\n"
        "| requests | errors | p50 ms | p95 ms | requests/s | wall s |\n"
        "|---|---|---|---|---|---|\n"
        f"| {len(latencies)} | {errors} | {p50:.0f} | {p95:.0f} | "
        f"{len(latencies) / elapsed:.1f} | {elapsed:.1f} |\n\n"
        "Measured on this 2-core machine, loopback, one kapbot process (`kapbot serve`).\n"
    )
    print(report)
    (Path(__file__).parent / "load.md").write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
