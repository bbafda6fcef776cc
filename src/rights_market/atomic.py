"""Putting a finished directory in place in one step (design principle 6: results appear whole or not at all)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .outdir import staging_tag


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk and move it into place.

    Readers see the old file or the new one, never a part. The file gets the usual permissions (0o666
    less the umask).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name[:100]}.{staging_tag()}.tmp")
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


def replace_dir(staged: Path, target: Path, *, replace: bool = False) -> None:
    """Move the complete directory ``staged`` to ``target``.

    ``staged`` must be on the same file system as ``target`` (create it beside the target). Without
    ``replace`` this is one ``rename``, which the operating system refuses when ``target`` is a file or a
    non-empty folder: nothing there is ever lost. With ``replace`` (only for a folder the caller has checked
    is an earlier result of ours, :func:`rights_market.outdir.claim`) readers see either the old directory or
    the new one: the old one is renamed aside (``.old-*``), the new one renamed in, and only then is the old
    one deleted.
    """
    if not replace or not target.exists():
        os.replace(staged, target)
        return
    old = target.parent / f".old-{target.name[:100]}-{staging_tag()}"
    os.replace(target, old)
    try:
        os.replace(staged, target)
    except BaseException:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)
