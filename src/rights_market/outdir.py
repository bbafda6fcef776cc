"""Where results may be written: one policy for every folder this tool writes (design principle 9: no user
file is ever deleted or replaced).

The policy (:func:`claim`), the same for ``run --out``, :func:`rights_market.results.write_run`, ``compare
--out``, the classroom's session folder and the stores of ``sweep --store`` and ``run --replications --out``:

* a path that does not exist, or an existing *empty* folder, may be used;
* an existing folder that is itself a result of this tool of the same kind (a run directory with our
  ``manifest.json``, a comparison with our ``comparison.json``, a store with our ``study.json``) is replaced
  only when the caller asks for it (``--overwrite``, ``overwrite=True``); a store of the same study is
  resumed instead (:class:`rights_market.sweep.store.Store`);
* anything else is refused with :class:`OutputError` (exit 2): a file, a folder holding anything that is
  not ours, the working folder or one of its parents, a symbolic link. Nothing is written then.

Even when the check passes, a new folder is moved into place with one ``rename`` that the operating system
refuses if the target has meanwhile become non-empty or a file: only a replacement the caller asked for
moves the old folder aside (``.old-*``) and deletes it.

Staging names: a folder being written is ``.tmp-<name>-<pid>-<host>-<random>`` beside its target, an old
folder being replaced ``.old-<name>-<pid>-<host>-<random>``, a file being written
``.<name>.<pid>-<host>-<random>.tmp`` (``host``: 6 hex digits of a hash of the machine's name). When a
process is killed these stay behind; :func:`clean_leftovers` removes those made on this machine by a process
that is no longer alive, the only case in which nobody can still be writing them. Another machine's
leftovers (a shared network folder) are left alone, since their process cannot be checked from here. A
process id reused by a new process only delays the cleaning (safe). Staging folders of earlier versions
(``.tmp-<name>-<8 random characters>``, no process id) are removed once they are a day old (writing a
result takes seconds, so nobody is still writing them) and only if they hold nothing but the files of a run
directory (so that a folder of the user's that happens to have such a name is never touched).

Result folders get the usual permissions, 0o777 less the umask (like ``mkdir``), for runs, comparisons and
stores alike: results are meant to be read by colleagues and tools the way the user's other files are, and
who may read them is then the user's umask to decide, not this tool.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from .pathkind import describe, is_regular_file

__all__ = ["COMPARISON_FILE", "STUDY_FILE", "OutputError", "claim", "clean_leftovers", "describe_os_error", "kind_of",
           "staging_dir", "staging_tag", "writing"]

COMPARISON_FILE = "comparison.json"
#: The file that makes a folder a results store (:mod:`rights_market.sweep.store`).
STUDY_FILE = "study.json"
TOOL = "rights-market"
KIND_NAMES = {"run": "a run directory", "comparison": "a comparison directory", "store": "a results store"}
LEGACY_AGE_SECONDS = 24 * 3600
_NAME_ROOM = 100  # characters of the target's name kept in a staging name (file names are at most 255)


class OutputError(Exception):
    """A place results must not (or cannot) be written: an input error (exit 2) naming the path, what is
    wrong and how to fix it."""


# ------------------------------------------------------------------------------------------ what is ours
def _json_object(path: Path, max_bytes: int = 64 * 1024 * 1024) -> dict | None:
    """The JSON object in ``path`` if it is a regular file (never a pipe or device, which could block or never
    end) of at most ``max_bytes``; else None."""
    if not is_regular_file(path):
        return None
    try:
        if path.stat().st_size > max_bytes:
            return None
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def kind_of(path: str | Path) -> str | None:
    """``"run"``, ``"comparison"`` or ``"store"`` if ``path`` is a folder this tool wrote, else None.

    Recognised by content, not by name: a run's ``manifest.json`` has its scenario name, hash, seed and the
    package version; a store's ``study.json`` its format and design hash; a comparison's
    ``comparison.json`` says ``"tool": "rights-market", "kind": "comparison"``.
    """
    path = Path(path)
    if path.is_symlink() or not path.is_dir():
        return None
    man = _json_object(path / "manifest.json")
    if man is not None and {"scenario_name", "scenario_hash", "seed", "package_version"} <= set(man):
        return "run"
    study = _json_object(path / STUDY_FILE)
    if study is not None and {"format", "design_hash"} <= set(study):
        return "store"
    cmp = _json_object(path / COMPARISON_FILE)
    if cmp is not None and cmp.get("tool") == TOOL and cmp.get("kind") == "comparison":
        return "comparison"
    return None


def _is_cwd_or_parent(path: Path) -> bool:
    try:
        here, there = Path.cwd().resolve(), path.resolve()
    except OSError:
        return False
    return there == here or there in here.parents


def claim(path: str | Path, kind: str, *, overwrite: bool = False, option: str = "--out") -> bool:
    """Check that a new result of ``kind`` may be written at ``path`` (the policy of the module docstring).

    Returns True when an earlier result of ours is there and is to be replaced (``overwrite``), False when
    the place is free (missing or an empty folder) or, for a store, holds a store to resume. Raises
    :class:`OutputError` otherwise; ``option`` names the option to change in the message.
    """
    path = Path(path)
    what = KIND_NAMES[kind]
    fix = f"choose a new folder name with {option}"
    if _is_cwd_or_parent(path):
        raise OutputError(f"{path}: is the folder you are working in (or one of its parents); results go into "
                          f"a folder of their own: {fix}, e.g. {option} results/my-run")
    if path.is_symlink():
        raise OutputError(f"{path}: is a symbolic link; nothing was written (a link is never replaced): {fix}")
    if not path.exists():
        return False
    if not path.is_dir():
        kind_of_path = describe(path)
        if kind_of_path == "a file":
            raise OutputError(f"{path}: a file of that name exists; nothing was written (files are never "
                              f"replaced or moved): {fix}")
        raise OutputError(f"{path}: is {kind_of_path}, not a folder for {what}; nothing was written: choose a "
                          f"new or empty folder with {option}")
    found = kind_of(path)
    if found == kind:
        if kind == "store":
            return False  # resumed, or refused by the store if it holds another study
        if overwrite:
            return True
        raise OutputError(f"{path}: already holds {what}; nothing was written: add --overwrite to replace it, "
                          f"or {fix}")
    try:
        # a store's lock and staging leftovers (a store killed before its study.json) do not count
        empty = all(kind == "store" and (p.name == ".lock" or _is_staging(p.name)) for p in path.iterdir())
    except OSError as exc:
        raise OutputError(describe_os_error(exc, path, "read the folder")) from None
    if empty:
        return False
    if found is not None:
        raise OutputError(f"{path}: is {KIND_NAMES[found]}, not {what}; nothing was written: {fix}")
    raise OutputError(f"{path}: the folder exists, is not empty and is not {what} of {TOOL}; nothing was "
                      f"written (an existing folder is never emptied): {fix}, or an empty folder")


# ------------------------------------------------------------------------------------------ staging
_HOST = hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]
_TAG = re.compile(r"-(?P<pid>\d+)-(?P<host>[0-9a-f]{6})-[0-9a-f]{8}$")
_FILE_TAG = re.compile(r"\.(?P<pid>\d+)-(?P<host>[0-9a-f]{6})-[0-9a-f]{8}\.tmp$")
_LEGACY_DIR = re.compile(r"^\.tmp-.+-[a-z0-9_]{8}$|^\.old-.+-[0-9a-f]{8}$")


def _is_staging(name: str) -> bool:
    return bool(_TAG.search(name) or _FILE_TAG.search(name) or _LEGACY_DIR.match(name))


_RUN_FILE = re.compile(r"[a-z_]+\.parquet|manifest\.json|events\.jsonl|report\.(html|md|xlsx)|"
                       r"figures/[^/]+\.(?:svg|png)|figures/\.report-figures\.json")


def _holds_only_run_files(folder: Path) -> bool:
    """Whether every file in ``folder`` (or in one run folder inside it, as the classroom stages) is a file
    a run directory holds: an old-style leftover, not someone's folder that happens to look like one."""
    for p in folder.rglob("*"):
        if p.is_symlink():
            return False
        if p.is_file():
            rel = p.relative_to(folder).parts
            if not (_RUN_FILE.fullmatch("/".join(rel)) or _RUN_FILE.fullmatch("/".join(rel[1:]))):
                return False
    return True


def staging_tag() -> str:
    """``<pid>-<host>-<random>``: who is writing a staging folder or file (see the module docstring)."""
    return f"{os.getpid()}-{_HOST}-{uuid.uuid4().hex[:8]}"


def staging_dir(parent: Path, name: str, prefix: str = "tmp") -> Path:
    """A new folder ``parent/.<prefix>-<name>-<tag>``, made with the usual permissions (0o777 less the
    umask)."""
    path = Path(parent) / f".{prefix}-{name[:_NAME_ROOM]}-{staging_tag()}"
    os.mkdir(path, 0o777)
    return path


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # exists (another user's) or cannot tell: keep
    return True


def clean_leftovers(folder: str | Path) -> list[Path]:
    """Remove what killed writers left in ``folder`` (see the module docstring for when that is safe);
    returns what was removed. Errors are ignored: cleaning is a courtesy, never a reason to fail."""
    folder = Path(folder)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        name = entry.name
        if not name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
            if is_dir and (name.startswith(".tmp-") or name.startswith(".old-")):
                m = _TAG.search(name)
                if m is not None:
                    stale = m["host"] == _HOST and not _alive(int(m["pid"]))
                else:
                    stale = (bool(_LEGACY_DIR.match(name))
                             and now - entry.stat(follow_symlinks=False).st_mtime > LEGACY_AGE_SECONDS
                             and _holds_only_run_files(Path(entry.path)))
                if stale:
                    shutil.rmtree(entry.path)
                    removed.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                m = _FILE_TAG.search(name)
                if m is not None and m["host"] == _HOST and not _alive(int(m["pid"])):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


# ------------------------------------------------------------------------------------------ errors
_HINTS = {
    errno.ENOSPC: "the disk is full: free some space or write elsewhere",
    errno.EDQUOT: "your disk quota is used up: free some space or write elsewhere",
    errno.EROFS: "the file system is read-only: write to a writable folder",
    errno.EACCES: "permission denied: write to a folder you may write to, or change its permissions",
    errno.EPERM: "the operation is not permitted here: write to a folder you may write to",
    errno.ENOTDIR: "a part of the path is a file, not a folder: choose another path",
    errno.EISDIR: "a folder is in the way of a file: choose another path",
    errno.EEXIST: "something of that name is in the way: choose another path",
    errno.ENOTEMPTY: "a folder appeared there meanwhile and is not empty: choose another path",
    errno.ENAMETOOLONG: "the name is too long for the file system: choose a shorter one",
    errno.ENOENT: "a folder on the way does not exist or was removed: check the path",
    errno.ELOOP: "too many symbolic links on the way: choose another path",
    errno.EXDEV: "the folder is on another file system than expected: choose another path",
    errno.EFBIG: "the file is too large for the file system: write elsewhere",
    errno.EIO: "the disk reported an input/output error: check it, or write elsewhere",
}
#: errno values that mean "this place cannot be written", i.e. the user's input (a path), not a bug.
FILE_SYSTEM_ERRNOS = frozenset(_HINTS)


def describe_os_error(exc: OSError, path: str | Path | None = None, action: str = "write") -> str:
    """``<path>: cannot <action>: <reason> (<file the system named>); <how to fix it>``."""
    where = exc.filename if path is None else path
    reason = exc.strerror or str(exc)
    detail = f" ({exc.filename})" if exc.filename and path is not None and str(exc.filename) != str(path) else ""
    hint = _HINTS.get(exc.errno or -1, "check the path and the disk, or write elsewhere")
    return f"{where}: cannot {action}: {reason}{detail}; {hint}"


@contextlib.contextmanager
def writing(path: str | Path, action: str = "write the results") -> Iterator[None]:
    """Turn a file-system error raised while writing ``path`` into an :class:`OutputError` naming it.

    Use it around code that only writes files: any ``OSError`` there is the place, not a bug.
    """
    try:
        yield
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(describe_os_error(exc, path, action)) from exc
