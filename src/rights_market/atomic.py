"""Putting a finished directory in place in one step (design principle 6: results appear whole or not at all)."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk and move it into place.

    Readers see the old file or the new one, never a part. The file gets the usual permissions (0o666
    less the umask).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def replace_dir(staged: Path, target: Path) -> None:
    """Move the complete directory ``staged`` to ``target``, replacing any directory already there.

    ``staged`` must be on the same file system as ``target`` (create it beside the target). Readers see
    either the old directory or the new one: the old one is renamed aside, the new one renamed in, and only
    then is the old one deleted.
    """
    old = None
    if target.exists():
        old = target.parent / f".old-{target.name}-{uuid.uuid4().hex[:8]}"
        os.replace(target, old)
    os.replace(staged, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
