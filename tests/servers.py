"""Real processes for tests: free loopback ports, waiting for a URL, a Chroma server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

CHROMA = Path(sys.executable).parent / "chroma"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# a server's first start on a fresh clone trains the safety classifier on every training line
# (about 4.5 minutes on 2 busy cores) before it answers; later starts read .test-cache
FIRST_START = 600


def wait_for(url: str, proc: subprocess.Popen[bytes], seconds: float = FIRST_START) -> None:
    """Until ``url`` answers (any status below 500); fails early if ``proc`` exits."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError as err:
            if err.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up in {seconds} s")


@contextmanager
def running(command: Sequence[str], url: str, cwd: Path | None = None,
            env: Mapping[str, str] | None = None, seconds: float = FIRST_START) -> Iterator[str]:
    """``command`` running (output discarded) until the block ends; yields ``url`` once it
    answers."""
    proc = subprocess.Popen(list(command), cwd=cwd, env=dict(env) if env is not None else None,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(url, proc, seconds)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextmanager
def serving_folder(folder: Path) -> Iterator[str]:
    """A static server of ``folder`` on a free loopback port; yields its address."""
    port = free_port()
    with running([sys.executable, "-m", "http.server", str(port), "-b", "127.0.0.1", "-d",
                  str(folder)], f"http://127.0.0.1:{port}/") as url:
        yield url


class ChromaServer:
    """``chroma run --path <folder> --host 127.0.0.1 --port <port>``, stoppable and restartable
    on the same folder and port (an outage and a recovery)."""

    def __init__(self, path: Path, port: int | None = None) -> None:
        self.path, self.port = path, port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ChromaServer:
        log = (self.path.parent / f"chroma-{self.port}.log").open("ab")
        self.proc = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1",
             "--port", str(self.port)],
            stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
        wait_for(self.url + "/api/v2/heartbeat", self.proc, 60)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None


class RedisServer:
    """Debian's ``redis-server`` on a free loopback port, in a temp folder, saving nothing."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(binary).exists():
            raise RuntimeError("redis-server is missing: `make test` installs it (Debian's "
                               "redis-server package; by hand: sudo apt-get install redis-server)")
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / "redis.log").open("ab") as log:
            self.proc = subprocess.Popen(
                [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
                 str(self.folder), "--save", "", "--appendonly", "no", "--daemonize", "no"],
                stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline and self.proc.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"redis-server did not start; see {self.folder / 'redis.log'}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None
