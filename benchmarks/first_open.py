"""First open of the chat, as a visitor on a slow phone connection sees it.

    .venv/bin/python benchmarks/first_open.py [--runs 3] [--widget-only] [--write]
        [--url http://127.0.0.1:7860/ --host-port 8000]  (that server allowing the host page)

Starts `kapbot serve` on 127.0.0.1 (temporary data folder) unless --url is given, then opens the
chat page in Chromium with Chrome DevTools' "Fast 3G" throttling (CDP
Network.emulateNetworkConditions: 562.5 ms latency, 180 KB/s down, 84 KB/s up) and an empty
cache, and measures:
- bytes transferred (what went over the wire, headers and compressed bodies: the sum of
  Network.loadingFinished encodedDataLength) until the question box is usable;
- requests made until then;
- time to a usable input: from navigation start until the question box is visible and enabled
  (performance.now() in the page);
- a second open with the browser's cache (the same visitor coming back);
- the widget on a host page (another origin, as on the practice's site), both ways it opens:
  "warmed" (widget.js loads the chat hidden once the page has loaded and the browser is idle;
  the launcher is clicked once that is done and the network quiet) and "cold"
  (data-preload="off": the chat loads on the click). For each: time from the click to a usable
  input (the chat's question box visible and enabled, as the chat's frame sees it), bytes and
  requests after the click, and what the host page downloaded from kapbot before the click
  (the warm-up's cost to a page that never opens the chat), and requests still open then.
The median of --runs is reported. --write puts the figures in benchmarks/first_open.md (its last
section; the history above it is kept).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
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
# the same, in the widget's frame, as a time comparable across documents (the host's, the chat's)
USABLE_AT = USABLE.replace("performance.now()", "performance.timeOrigin + performance.now()")
CLICK = """() => { const t = performance.timeOrigin + performance.now();
  document.querySelector('.kapbot-btn').click(); return t; }"""
HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>A practice</title>
</head><body><main><h1>Ketamine-assisted psychotherapy</h1><p>A practice's page.</p></main>
<script src="{app}widget.js" data-color="#6b4fbb" {options} defer></script></body></html>"""
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


def start_server(data: Path, host_origin: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "KAPBOT_DATA_DIR": str(data), "HF_HUB_OFFLINE": "1",
           "GRADIO_ANALYTICS_ENABLED": "False", "ANONYMIZED_TELEMETRY": "False",
           "KAPBOT_ALLOWED_ORIGINS": host_origin}
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


@dataclass(frozen=True)
class WidgetOpen:
    seconds: float  # from the click until the chat's input is usable
    bytes: int  # after the click, until then
    requests: int
    before_bytes: int  # from kapbot before the click (widget.js, and the warm-up's)
    before_requests: int
    still_open: int  # kapbot requests not finished at the click (long-lived connections)
    host_load: float  # the host page's load event, seconds from navigation start


@contextmanager
def host_pages(app: str, port: int) -> Iterator[str]:
    """A static host page on another origin: warm.html (the default) and cold.html
    (data-preload="off")."""
    with tempfile.TemporaryDirectory() as folder:
        for name, options in (("warm.html", ""), ("cold.html", 'data-preload="off"')):
            Path(folder, name).write_text(HOST_PAGE.format(app=app, options=options), "utf-8")

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", port), functools.partial(Quiet, directory=folder))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{port}/"
        finally:
            server.shutdown()


def _quiet(page: Any, sizes: dict[str, int], seconds: float = 2) -> None:
    """Until nothing more has loaded for ``seconds`` (60 s at most)."""
    quiet, seen = 0, len(sizes)
    for _ in range(240):
        page.wait_for_timeout(250)
        quiet, seen = (quiet + 1, seen) if len(sizes) == seen else (0, len(sizes))
        if quiet >= seconds * 4:
            break


def _chat_frame(page: Any, app: str) -> Any:
    for _ in range(2400):
        frame = next((f for f in page.frames if f.url.startswith(app)), None)
        if frame is not None:
            return frame
        page.wait_for_timeout(50)
    raise RuntimeError("the widget made no chat frame")


@dataclass(frozen=True)
class Way:
    """How the widget is opened: its host page, and when the launcher is clicked (None: once
    the warm-up, if any, is done and the network quiet; else seconds after the load event)."""
    label: str
    page: str
    after: float | None = None


WAYS = (Way("warmed (the default)", "warm.html"),
        Way("opened 3 s after the page's load, warm-up under way", "warm.html", 3.0),
        Way('cold (data-preload="off")', "cold.html"))


def widget_open(page: Any, cdp: Any, host: str, app: str, way: Way) -> WidgetOpen:
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}
    cdp.on("Network.requestWillBeSent",
           lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished",
           lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])))
    cdp.on("Network.loadingFailed", lambda e: sizes.__setitem__(e["requestId"], 0))
    page.goto(host + way.page, wait_until="load", timeout=120_000)
    host_load = float(page.evaluate(
        "performance.getEntriesByType('navigation')[0].loadEventStart")) / 1000
    if way.after is not None:
        page.wait_for_timeout(way.after * 1000)
    elif way.page == "warm.html":  # the warm-up has loaded the chat, hidden
        _chat_frame(page, app).wait_for_function(USABLE, polling=100, timeout=120_000)
    if way.after is None:
        _quiet(page, sizes)
    before = {k: v for k, v in sizes.items() if urls.get(k, "").startswith(app)}
    still_open = len([k for k, u in urls.items() if u.startswith(app) and k not in sizes])
    done = set(sizes)
    clicked = float(page.evaluate(CLICK))
    frame = _chat_frame(page, app)
    for _ in range(60):  # (the cold frame navigates from about:blank to the chat)
        try:
            usable = float(frame.wait_for_function(USABLE_AT, polling="raf",
                                                   timeout=120_000).json_value())
            break
        except Exception:  # (its context went with the navigation: again)
            page.wait_for_timeout(50)
    else:
        raise RuntimeError("the chat's input never became usable")
    after = {k: v for k, v in sizes.items() if k not in done}
    return WidgetOpen((usable - clicked) / 1000, sum(after.values()), len(after),
                      sum(before.values()), len(before), still_open, host_load)


def phone_page(browser: Any, throttle: bool) -> tuple[Any, Any, Any]:
    """A new 390×844 context and page, with a CDP session watching the network (throttled to
    Fast 3G when asked)."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if throttle:
        cdp.send("Network.emulateNetworkConditions", FAST_3G)
    return context, page, cdp


def measure_widget(host: str, app: str, runs: int, way: Way, throttle: bool = True,
                   ) -> list[WidgetOpen]:
    from playwright.sync_api import sync_playwright

    opens = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for _ in range(runs):
            context, page, cdp = phone_page(browser, throttle)
            opens.append(widget_open(page, cdp, host, app, way))
            context.close()
        browser.close()
    return opens


def measure(url: str, runs: int, throttle: bool = True,
            ) -> tuple[list[Open], list[Open], list[str]]:
    from playwright.sync_api import sync_playwright

    cold, warm, listing = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for run in range(runs):
            context, page, cdp = phone_page(browser, throttle)
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


WIDGET_HEADER = (
    "| widget on a host page | host page's load event | from kapbot before the click "
    "(a page that never opens the chat): transferred, requests; still open | click → usable "
    "input | after the click: transferred, requests | target 1.5 s |\n|---|---|---|---|---|---|")


def widget_row(label: str, opens: list[WidgetOpen]) -> str:
    def med(values: Iterator[float]) -> float:
        return float(statistics.median(values))

    seconds = med(o.seconds for o in opens)
    return (f"| {label} | {med(o.host_load for o in opens):.2f} s | "
            f"{med(o.before_bytes for o in opens) / 1000:.0f} KB in "
            f"{med(o.before_requests for o in opens):.0f}; "
            f"{med(o.still_open for o in opens):.0f} | {seconds:.2f} s | "
            f"{med(o.bytes for o in opens) / 1000:.0f} KB in {med(o.requests for o in opens):.0f}"
            f" | {'met' if seconds <= TARGET_SECONDS else 'missed'} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a running chat (default: start kapbot serve); it must "
                        "allow the host page's origin, http://127.0.0.1:HOST_PORT")
    parser.add_argument("--host-port", type=int, default=0,
                        help="the host page's port (default: a free one)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--label", default="this commit")
    parser.add_argument("--widget-only", action="store_true",
                        help="only the widget's two ways (not the chat page on its own)")
    parser.add_argument("--write", action="store_true",
                        help="put the figures in benchmarks/first_open.md")
    parser.add_argument("--list", action="store_true", help="print the first open's requests")
    parser.add_argument("--no-throttle", action="store_true",
                        help="plain loopback, for comparison (not the target's condition)")
    args = parser.parse_args()
    proc = None
    host_port = args.host_port or free_port()
    throttle = not args.no_throttle
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url.rstrip("/") + "/" if args.url else ""  # the host page appends "widget.js"
        if not url:
            proc, url = start_server(Path(tmp) / "data", f"http://127.0.0.1:{host_port}")
        try:
            if not args.widget_only:
                cold, warm, listing = measure(url, args.runs, throttle)
            with host_pages(url, host_port) as host:
                widget = [(way, measure_widget(host, url.rstrip("/"), args.runs, way, throttle))
                          for way in WAYS]
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)
    if not args.widget_only:
        c, w = summary(cold), summary(warm)
        verdict = ", ".join([
            f"bytes {'met' if c.total_bytes <= TARGET_BYTES else 'missed'}",
            f"time {'met' if c.seconds <= TARGET_SECONDS else 'missed'}"])
        rows += [HEADER, (
            f"| {args.label} | {c.total_bytes / 1000:.0f} KB in {c.total_requests} | "
            f"{c.bytes / 1000:.0f} KB in {c.requests} | {c.seconds:.2f} s | "
            f"{w.total_bytes / 1000:.0f} KB in {w.total_requests} | {w.seconds:.2f} s | "
            f"{verdict} |"), ""]
    rows += [WIDGET_HEADER, *(widget_row(f"{args.label}: {way.label}", opens)
                              for way, opens in widget)]
    condition = "Fast 3G" if throttle else "unthrottled loopback"
    print("\n".join(rows))
    print(f"({args.runs} runs, median, {condition})")
    if args.list and not args.widget_only:
        for line in listing:
            print(line)
    if args.write:  # replaces the report's last section, keeps the history above it
        text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else ""
        kept = text.split(LATEST)[0].rstrip() + "\n\n" if LATEST in text else text
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        table = "\n".join(rows)
        REPORT.write_text(f"{kept}{LATEST}\n\n{stamp}, {args.runs} runs, median, {condition}."
                          f"\n\n{table}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
