"""`make test` installs what the tests need besides Python (.ci/tools): a Chromium and
redis-server. The rules run for real, with a PATH that hides the installed packages; apt-get
and id are stand-ins that record what they were asked (nothing is installed or removed here)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

TOOLS = ROOT / ".ci" / "tools"
BASH = shutil.which("bash") or "/bin/bash"
VENV_BIN = Path(sys.executable).parent


def _stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)


def _run(stubs: Path, tmp_path: Path, venv_bin: Path = VENV_BIN
         ) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(stubs), "HOME": str(tmp_path),
           "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "playwright"),  # none downloaded there
           "PLAYWRIGHT_DOWNLOAD_HOST": "http://127.0.0.1:9"}  # and no download succeeds
    return subprocess.run([BASH, str(TOOLS), str(venv_bin)], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=300)


def test_make_test_installs_what_the_tests_need() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^test: .*\btools\b", makefile, re.MULTILINE)
    assert re.search(r"^tools: install\n\t@?\.ci/tools \$\(BIN\)$", makefile, re.MULTILINE)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "apt-get" not in ci and ci.rstrip().endswith("make test")
    assert " -qq " in makefile  # pip: errors only


def test_nothing_to_do_when_everything_is_there(tmp_path: Path) -> None:
    stubs = tmp_path / "bin"
    stubs.mkdir()
    for name in ("chromium", "redis-server"):
        _stub(stubs, name, "exit 0")
    _stub(stubs, "python", f"echo started >> {tmp_path / 'python.log'}")
    done = _run(stubs, tmp_path, venv_bin=stubs)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert not (tmp_path / "python.log").exists()  # quick: not even Python is started


def test_root_with_apt_gets_debians_packages(tmp_path: Path) -> None:
    stubs = tmp_path / "bin"
    stubs.mkdir()
    log = tmp_path / "apt.log"
    _stub(stubs, "id", "echo 0")
    _stub(stubs, "apt-get", f"""echo "$*" >> {log}
if [ "$1" = install ]; then
  for pkg in "$@"; do case $pkg in -*|install) ;; *)
    printf '#!/bin/sh\\n' > {stubs}/$pkg; /bin/chmod 755 {stubs}/$pkg;; esac; done
fi""")
    done = _run(stubs, tmp_path)
    assert done.returncode == 0, done.stderr
    assert log.read_text().splitlines() == [
        "update -qq", "install -y -qq chromium", "install -y -qq redis-server"]
    assert done.stdout.splitlines() == [
        "Installing Debian's chromium for the browser tests (apt-get)...",
        "Installing Debian's redis-server for the shared rate-limit tests (apt-get)...",
    ]
    again = _run(stubs, tmp_path)  # idempotent: now there, nothing more
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
    assert len(log.read_text().splitlines()) == 3


@pytest.mark.slow
def test_without_root_it_tries_playwright_and_says_what_to_run(tmp_path: Path) -> None:
    """A user's own machine: no apt as root, so Playwright's own Chromium (its real installer,
    whose download fails here), then a message naming the commands that would fix it."""
    stubs = tmp_path / "bin"
    stubs.mkdir()
    _stub(stubs, "id", "echo 1000")
    done = _run(stubs, tmp_path)
    assert done.returncode == 1
    assert "playwright install chromium)..." in done.stdout
    assert "the browser tests need Chromium" in done.stderr
    assert "sudo apt-get install chromium" in done.stderr
    assert f"{VENV_BIN}/playwright install chromium" in done.stderr
    assert "the shared rate-limit tests need redis-server" in done.stderr
    assert "sudo apt-get install redis-server" in done.stderr


def test_browser_tests_fall_back_to_playwrights_chromium(tmp_path: Path) -> None:
    """Without Debian's chromium on PATH the browser tests launch Playwright's own browser."""
    code = "import tests.browsing as t; print(t.CHROMIUM)"
    env = {**os.environ, "PATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, text=True,
                         capture_output=True, check=True)
    assert out.stdout.strip() == "None"
