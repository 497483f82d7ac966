"""First open of the chat, as a visitor on a slow phone connection sees it.

    .venv/bin/python benchmarks/first_open.py [--runs 3] [--url http://127.0.0.1:7860/]

Starts `kapbot serve` on 127.0.0.1 (temporary data folder) unless --url is given, then opens the
chat page in Chromium with Chrome DevTools' "Fast 3G" throttling (CDP
Network.emulateNetworkConditions: 562.5 ms latency, 180 KB/s down, 84 KB/s up) and an empty
cache, and measures:
- bytes transferred (what went over the wire, headers and compressed bodies: the sum of
  Network.loadingFinished encodedDataLength) until the question box is usable;
- requests made until then;
- time to a usable input: from navigation start until the question box is visible and enabled
  (performance.now() in the page);
- a second open with the browser's cache (the same visitor coming back).
The median of --runs is reported. --write puts the figures in benchmarks/first_open.md (its last
section; the history above it is kept).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REPORT = Path(__file__).resolve().parent / "first_open.md"
CHROMIUM = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
# Chrome DevTools' "Fast 3G" preset (front_end/core/sdk/NetworkManager.ts)
FAST_3G = {"offline": False, "latency": 562.5, "downloadThroughput": 180_000,
           "uploadThroughput": 84_375}
USABLE = """() => {
  const box = document.querySelector('textarea[placeholder="Type your question…"]');
  return box && !box.disabled && box.offsetParent !== null ? performance.now() : false; }"""
TARGET_BYTES, TARGET_SECONDS = 300_000, 1.5
LATEST = "## Latest run (`make bench`)"
HEADER = ("| build | first open: transferred, requests | of which before the input is usable | "
          "input usable | second open (cached): transferred, requests | input usable | "
          "targets: 300 KB, 1.5 s |\n|---|---|---|---|---|---|---|")


@dataclass(frozen=True)
class Open:
    bytes: int  # until the input is usable
    requests: int
    seconds: float
    total_bytes: int  # once the page is quiet
    total_requests: int


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(data: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "KAPBOT_DATA_DIR": str(data), "HF_HUB_OFFLINE": "1",
           "GRADIO_ANALYTICS_ENABLED": "False", "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 600
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("kapbot serve exited")
        try:
            with urllib.request.urlopen(url + "healthz", timeout=5):
                return proc, url
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("kapbot serve did not come up")


def one_open(page: Any, cdp: Any, url: str) -> Open:
    sizes: dict[str, int] = {}
    cdp.on("Network.loadingFinished",
           lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])))
    page.goto(url, wait_until="commit")
    usable = page.wait_for_function(USABLE, polling="raf", timeout=120_000).json_value()
    until_usable = dict(sizes)
    quiet, seen = 0, len(sizes)  # then until nothing more has loaded for 2 s (30 s at most)
    for _ in range(120):
        page.wait_for_timeout(250)
        quiet, seen = (quiet + 1, seen) if len(sizes) == seen else (0, len(sizes))
        if quiet >= 8:
            break
    return Open(sum(until_usable.values()), len(until_usable), float(usable) / 1000,
                sum(sizes.values()), len(sizes))


def measure(url: str, runs: int, throttle: bool = True,
            ) -> tuple[list[Open], list[Open], list[str]]:
    from playwright.sync_api import sync_playwright

    cold, warm, listing = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for run in range(runs):
            context = browser.new_context(viewport={"width": 390, "height": 844})
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            if throttle:
                cdp.send("Network.emulateNetworkConditions", FAST_3G)
            if run == 0:
                page.on("requestfinished", lambda r: listing.append(r.url))
            cold.append(one_open(page, cdp, url))
            page.close()
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            if throttle:
                cdp.send("Network.emulateNetworkConditions", FAST_3G)
            warm.append(one_open(page, cdp, url))
            context.close()
        browser.close()
    return cold, warm, listing


def summary(opens: list[Open]) -> Open:
    return Open(int(statistics.median(o.bytes for o in opens)),
                int(statistics.median(o.requests for o in opens)),
                statistics.median(o.seconds for o in opens),
                int(statistics.median(o.total_bytes for o in opens)),
                int(statistics.median(o.total_requests for o in opens)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a running chat (default: start kapbot serve)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--label", default="this commit")
    parser.add_argument("--write", action="store_true",
                        help="put the figures in benchmarks/first_open.md")
    parser.add_argument("--list", action="store_true", help="print the first open's requests")
    parser.add_argument("--no-throttle", action="store_true",
                        help="plain loopback, for comparison (not the target's condition)")
    args = parser.parse_args()
    proc = None
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url
        if not url:
            proc, url = start_server(Path(tmp) / "data")
        try:
            cold, warm, listing = measure(url, args.runs, not args.no_throttle)
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)
    c, w = summary(cold), summary(warm)
    verdict = ", ".join([
        f"bytes {'met' if c.total_bytes <= TARGET_BYTES else 'missed'}",
        f"time {'met' if c.seconds <= TARGET_SECONDS else 'missed'}"])
    row = (f"| {args.label} | {c.total_bytes / 1000:.0f} KB in {c.total_requests} | "
           f"{c.bytes / 1000:.0f} KB in {c.requests} | {c.seconds:.2f} s | "
           f"{w.total_bytes / 1000:.0f} KB in {w.total_requests} | {w.seconds:.2f} s | "
           f"{verdict} |")
    print(HEADER)
    print(row)
    print(f"({args.runs} runs, median)")
    if args.list:
        for line in listing:
            print(line)
    if args.write:  # replaces the report's last section, keeps the history above it
        text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else ""
        kept = text.split(LATEST)[0].rstrip() + "\n\n" if LATEST in text else text
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        REPORT.write_text(f"{kept}{LATEST}\n\n{stamp}, {args.runs} runs, median.\n\n"
                          f"{HEADER}\n{row}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
