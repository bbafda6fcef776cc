"""Opening input files safely: only regular files, never more bytes than a limit allows.

Every input file (a scenario or sweep YAML, a holder list) is opened through :func:`open_regular`:

* the file is opened without blocking (``O_NONBLOCK``) and checked with ``fstat`` on the open descriptor, so
  a FIFO, a device (``/dev/zero``) or a socket is refused as "not a regular file" instead of hanging or
  reading forever, and a directory as "is a directory";
* its size is checked against the named limit (``scenario_bytes``, ``table_bytes``) before a byte is read,
  and :func:`read_regular` reads at most one byte more than the limit, so a file that grows while being
  read is refused too.

Failures raise :class:`FileRefused`, a ``ValueError`` whose message says what is wrong but not which file:
the caller names the file (and the place that named it) in its own located problem.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from .. import limits as _limits

__all__ = ["FileRefused", "open_regular", "read_regular"]


class FileRefused(ValueError):
    """An input file that cannot or may not be read; the message says why and how to fix it."""


def open_regular(path: Path, limit_name: str, kind: str) -> BinaryIO:
    """``path`` opened for binary reading, if it is a regular file no larger than the limit ``limit_name``.

    ``kind`` names what the file should be in messages ("scenario file", "table file").
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise FileRefused("file not found") from None
    except IsADirectoryError:
        raise FileRefused(f"is a directory, not a {kind}") from None
    except PermissionError:
        raise FileRefused("cannot read file: permission denied") from None
    except (OSError, ValueError) as exc:  # ENAMETOOLONG, ELOOP, embedded NUL...
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        if isinstance(exc, OSError) and exc.errno == errno.ENAMETOOLONG:
            reason = "the file name is too long"
        raise FileRefused(f"cannot open file: {reason}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise FileRefused(f"is a directory, not a {kind}")
        if not stat.S_ISREG(st.st_mode):
            raise FileRefused(f"not a regular file (a pipe, device or socket); name a {kind}")
        limit = getattr(_limits.active(), limit_name)
        if st.st_size > limit:
            raise FileRefused(_limits.active().exceeded(limit_name, st.st_size, "the file's size in bytes"))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path, limit_name: str, kind: str) -> bytes:
    """The bytes of ``path`` (see :func:`open_regular`); never reads more than the limit plus one byte."""
    limit = getattr(_limits.active(), limit_name)
    with open_regular(path, limit_name, kind) as fh:
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise FileRefused(f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise FileRefused(_limits.active().exceeded(limit_name, len(data), "the file's size in bytes (still growing)"))
    return data
