"""The output folder of a run: one run at a time, and no debris of runs that died.

`claimed(out)` holds an exclusive lock on `<out>/.zhfig.lock` for the length
of a run, so a second `zhfig run` into the same folder refuses at once
(OutputFolderBusy, naming the process that holds it) instead of interleaving
its tables with the first one's. The lock is the operating system's
(`flock`): it goes with its process, so a run killed with `kill -9` leaves
no stale lock behind, only its lock file, which the next run reuses.

Tables are written into temporaries next to their final files
(`temporary_path`: hidden, with the writing process's id) and renamed over
them when complete. A run that is killed leaves its temporaries; the next
run, once it holds the lock, deletes those whose process no longer runs.
A temporary of a live process is left alone, whoever it is.

Both need POSIX (`fcntl`, and `os.kill(pid, 0)`, which asks whether a process
exists; on Windows signal 0 would end it): elsewhere a run takes no lock and
removes nothing.
"""
from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX
    fcntl = None

log = logging.getLogger(__name__)

LOCK_FILE = ".zhfig.lock"
TEMPORARY = re.compile(r"\..+\.(?P<pid>\d+)-[0-9a-f]+\.(?:tmp|old)")  # see temporary_path


class OutputFolderBusy(RuntimeError):
    """Another run is writing into the output folder."""


def temporary_path(final: Path, suffix: str = "tmp") -> Path:
    """Where `final` is written before it is renamed over (a file, or a
    folder of parts), or, with suffix "old", where the previous one is moved
    aside while it is replaced: hidden, in the same folder (so the rename is
    atomic), named with this process's id so that a later run can tell
    whether its writer is still alive."""
    return final.with_name(f".{final.name}.{os.getpid()}-{secrets.token_hex(4)}.{suffix}")


def publish_folder(temp: Path, final: Path) -> None:
    """A finished folder (`temp`) in place of `final`: the old one is moved
    aside first and deleted after, so a reader sees one or the other whole."""
    old = temporary_path(final, "old") if final.exists() else None
    if old is not None:
        os.replace(final, old)
    os.replace(temp, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: nothing is sent, only whether the process exists is checked
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def remove_stale_temporaries(out: Path) -> list[Path]:
    """Delete the temporaries under `out` (files, and the part folders of
    `--dataset` tables) whose writing process no longer runs; the paths
    deleted."""
    if fcntl is None:
        return []
    removed = []
    for folder, subfolders, names in os.walk(out):
        for name in [*names, *subfolders]:
            match = TEMPORARY.fullmatch(name)
            if match and not _alive(int(match["pid"])):
                path = Path(folder, name)
                shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
                removed.append(path)
        subfolders[:] = [name for name in subfolders if not TEMPORARY.fullmatch(name)]
    if removed:
        log.info("removed %d temporaries left by runs that did not finish", len(removed))
    return removed


def _holder(lock_file: Path) -> str:
    try:
        pid = lock_file.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        pid = ""
    return f"process {pid}" if pid.isdigit() else "another process"


@contextmanager
def claimed(out: Path) -> Iterator[None]:
    """The output folder (created if needed) for this run alone, cleared of
    the temporaries of runs that died. Raises OutputFolderBusy when another
    run holds it."""
    out.mkdir(parents=True, exist_ok=True)
    if fcntl is None:
        log.warning("no lock on %s: this platform has no fcntl", out)
        yield
        return
    lock_file = out / LOCK_FILE
    with open(lock_file, "a+", encoding="ascii") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputFolderBusy(
                f"{out} is in use by another zhfig run ({_holder(lock_file)}); wait for it to finish "
                f"or write into another --out") from None
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        remove_stale_temporaries(out)
        yield  # closing the file releases the lock
