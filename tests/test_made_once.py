"""``npzfile.made_once``: what is saved is found; what is not is made by one process at a time."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
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


def test_a_held_lock_file_is_not_removed(tmp_path: Path) -> None:
    lock = tmp_path / ".x.lock"
    with npzfile.one_at_a_time(tmp_path, "x"):
        npzfile.remove_lock(tmp_path, "x")
        assert lock.exists()  # held: another process waiting on it would lock the same file
    npzfile.remove_lock(tmp_path, "x")
    assert not lock.exists()
    npzfile.remove_lock(tmp_path, "x")  # gone already: nothing to do


def test_a_waiter_locks_the_file_at_the_path_after_a_removal(tmp_path: Path) -> None:
    lock = tmp_path / ".x.lock"
    held, done = threading.Event(), threading.Event()
    seen: list[bool] = []

    def waiter() -> None:
        held.wait()
        with npzfile.one_at_a_time(tmp_path, "x"):  # waits for the first holder
            seen.append(lock.exists())  # what it holds is a file others can find and wait on
        done.set()

    thread = threading.Thread(target=waiter)
    thread.start()
    with npzfile.one_at_a_time(tmp_path, "x"):
        held.set()
        time.sleep(0.3)  # the waiter has opened the file and waits on it
        lock.unlink()  # removed while held, as a clean-up in another process would
    assert done.wait(10)
    thread.join()
    assert seen == [True]
