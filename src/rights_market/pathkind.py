"""What a path on disk is, in words, for error messages about inputs that are not what a command expects.

A named pipe, a device or a file given where a folder is expected must be refused with a message that
says what it is (never "file not found" for ``/dev/zero``, never "is a directory" for a pipe) and never
read: reading a pipe blocks, reading a device never ends.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


def describe(path: str | Path) -> str:
    """``path`` in words: 'a folder', 'a file', 'a named pipe (FIFO)', 'a character
    device', 'a block device', 'a socket', 'a broken symbolic link', 'missing' or 'unreadable (why)'."""
    p = Path(path)
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        return "a broken symbolic link" if p.is_symlink() else "missing"
    except NotADirectoryError:
        return "missing (a part of its path is a file, not a folder)"
    except OSError as exc:
        return f"unreadable ({os.strerror(exc.errno) if exc.errno else exc})"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file or folder"


def is_regular_file(path: str | Path) -> bool:
    """Whether ``path`` is a regular file (following symbolic links): safe to read to its end."""
    try:
        return stat.S_ISREG(Path(path).stat().st_mode)
    except OSError:
        return False


def folder_problem(path: str | Path, expected: str, hint: str = "") -> str:
    """The message for ``path`` not being the folder ``expected`` (e.g. 'a run directory (with manifest.json)')."""
    what = describe(path)
    is_ = "does not exist" if what.startswith("missing") else f"is {what}"
    if what.startswith("missing") and "(" in what:
        is_ += what.removeprefix("missing")
    text = f"{path}: {is_}, not {expected}"
    return f"{text}; {hint}" if hint else text


__all__ = ["describe", "folder_problem", "is_regular_file"]
