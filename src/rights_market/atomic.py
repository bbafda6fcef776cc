"""Putting a finished directory in place in one step (design principle 6: results appear whole or not at all)."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path


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
