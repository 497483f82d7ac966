"""``npzfile.made_once``: what is saved is found; what is not is made by one process at a time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kapbot import npzfile

from .conftest import ROOT

MAKER = """
import sys, time
from pathlib import Path
from kapbot import npzfile
folder, out = Path(sys.argv[1]), Path(sys.argv[2])
def make():
    time.sleep(0.5)  # long enough for the other process to be waiting on the lock
    out.write_text(out.read_text() + "made\\n" if out.exists() else "made\\n")
    (folder / "thing").write_text("x")
    return "made"
print(npzfile.made_once(folder, "thing", lambda: "found" if (folder / "thing").exists() else None,
                        make))
"""


def test_found_is_not_made_again(tmp_path: Path) -> None:
    made: list[str] = []

    def make() -> str:
        made.append("made")
        return "made"

    assert npzfile.made_once(tmp_path, "x", lambda: "saved", make) == "saved"
    assert made == []
    assert npzfile.made_once(tmp_path, "x", lambda: None, lambda: "new") == "new"


def test_two_processes_make_it_once(tmp_path: Path) -> None:
    log = tmp_path / "log.txt"
    runs = [subprocess.Popen([sys.executable, "-c", MAKER, str(tmp_path), str(log)], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True) for _ in range(2)]
    said = sorted(run.communicate(timeout=60)[0].strip() for run in runs)
    assert said == ["found", "made"]
    assert log.read_text() == "made\n"
