"""Figures cached per run: a figure whose inputs hash the same as in an earlier report is not drawn again.

Drawing is most of a report's work (about 100 ms a figure with matplotlib, some thirty figures for the four
rights), and a run's data do not change between reports: building the report again (``report`` after
``run --report``, after an upgrade that does not touch the figures, or the other language) reuses the PNGs.

The key of a figure is a SHA-256 of everything that decides its pixels: the drawing function's name, its
arguments (tables by their column names, dtypes and a hash of every value and index entry; label look-ups
by language and their whole text table; other values by ``repr``), the source of
:mod:`rights_market.report.figures` and :mod:`rights_market.report.fonts`, and the versions of the package
and of matplotlib. The PNGs are files ``<lang>-<key>.png`` (``<lang>-<key>.none`` for "nothing to draw") in
``figures/.cache`` of the run folder; after a build only the files that build used stay for its language,
so the cache holds at most one report's figures per language. A cached PNG is the same bytes drawing
would give (figures are deterministic: :mod:`rights_market.report.figures`). A value the key cannot hash
(an unexpected type) means the figure is drawn, never that a stale one is used.

Figures are also remembered in this process (:data:`MEMORY_BYTES` at most, least recently used dropped
first), under the same key: a program that builds many reports (the lab running variants of a scenario, a
study's reports, a test session) draws a figure whose inputs it has drawn before once. The key decides,
never the folder: a remembered figure is the same bytes drawing would give.

Use :func:`cached` around building the document, and :func:`draw` where a figure is drawn; outside
:func:`cached` figures are drawn or taken from the process's memory, and nothing is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from .labels import Labels

#: Folder of the cache inside the report's figure folder.
CACHE_DIR = ".cache"


class _Unhashable(TypeError):
    pass


class FigureCache:
    """The cached figures of one language in ``folder``; :meth:`prune` drops what this build did not use."""

    def __init__(self, folder: Path, lang: str) -> None:
        self.folder = Path(folder)
        self.lang = lang
        self.used: set[str] = set()
        self.drawn = 0
        self.reused = 0

    def png(self, fn: Callable[..., bytes | None], *args: object, **kwargs: object) -> bytes | None:
        """``fn(*args, **kwargs)``, from the cache when its key is there."""
        try:
            key = _key(fn, args, kwargs)
        except (_Unhashable, TypeError):  # hash_pandas_object refuses unhashable cells
            self.drawn += 1
            return fn(*args, **kwargs)
        stem = f"{self.lang}-{key}"
        for name, data in ((f"{stem}.png", None), (f"{stem}.none", b"")):
            path = self.folder / name
            try:
                content = path.read_bytes()
            except OSError:
                continue
            self.used.add(name)
            self.reused += 1
            return content if data is None else None
        png, drawn = _drawn_or_remembered(key, fn, args, kwargs)
        if drawn:
            self.drawn += 1
        else:
            self.reused += 1
        name = f"{stem}.png" if png is not None else f"{stem}.none"
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            from ..atomic import write_atomic

            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(self.folder / name, png if png is not None else b"")
            self.used.add(name)
        return png

    def prune(self) -> None:
        """Remove this language's cached figures that this build did not use."""
        with contextlib.suppress(OSError):
            for path in self.folder.glob(f"{self.lang}-*"):
                if path.name not in self.used and path.suffix in (".png", ".none"):
                    path.unlink(missing_ok=True)


_ACTIVE: ContextVar[FigureCache | None] = ContextVar("figure_cache", default=None)


@contextlib.contextmanager
def cached(folder: Path, lang: str) -> Iterator[FigureCache]:
    """Figures drawn through :func:`draw` inside the block use the cache in ``folder`` (pruned when the block
    ends without error)."""
    c = FigureCache(folder, lang)
    token = _ACTIVE.set(c)
    try:
        yield c
    finally:
        _ACTIVE.reset(token)
    c.prune()


def draw(fn: Callable[..., bytes | None], *args: object, **kwargs: object) -> bytes | None:
    """``fn(*args, **kwargs)`` (a figure function returning PNG bytes or None), cached inside :func:`cached`,
    remembered in this process in any case."""
    c = _ACTIVE.get()
    if c is not None:
        return c.png(fn, *args, **kwargs)
    try:
        key = _key(fn, args, kwargs)
    except (_Unhashable, TypeError):
        return fn(*args, **kwargs)
    return _drawn_or_remembered(key, fn, args, kwargs)[0]


# --------------------------------------------------------------------------------------------- memory
#: Most bytes of PNG the process keeps (about 700 figures of the four-rights report).
MEMORY_BYTES = 32 * 2**20
_MEMORY: OrderedDict[str, bytes | None] = OrderedDict()
_MEMORY_LOCK = threading.Lock()  # the lab serves requests from threads
_memory_size = 0


def _drawn_or_remembered(key: str, fn: Callable[..., bytes | None], args: tuple,
                         kwargs: Mapping[str, object]) -> tuple[bytes | None, bool]:
    """(the figure of ``key`` from this process's memory, or drawn now and remembered; whether it was drawn)."""
    found, png = _recall(key)
    if found:
        return png, False
    png = fn(*args, **kwargs)
    _remember(key, png)
    return png, True


def _recall(key: str) -> tuple[bool, bytes | None]:
    """(whether ``key`` is remembered, its PNG or None for "nothing to draw")."""
    with _MEMORY_LOCK:
        if key not in _MEMORY:
            return False, None
        _MEMORY.move_to_end(key)
        return True, _MEMORY[key]


def _remember(key: str, png: bytes | None) -> None:
    global _memory_size
    size = len(png or b"")
    if size > MEMORY_BYTES:
        return
    with _MEMORY_LOCK:
        if key in _MEMORY:
            return
        _MEMORY[key] = png
        _memory_size += size
        while _memory_size > MEMORY_BYTES:
            _, dropped = _MEMORY.popitem(last=False)
            _memory_size -= len(dropped or b"")


def forget() -> None:
    """Drop every figure remembered in this process (the next build draws or reads them from its folder)."""
    global _memory_size
    with _MEMORY_LOCK:
        _MEMORY.clear()
        _memory_size = 0


# --------------------------------------------------------------------------------------------- keys
@cache
def _code_version() -> bytes:
    import matplotlib

    from .. import __version__
    from . import figures

    h = hashlib.sha256(f"{__version__}|{matplotlib.__version__}".encode())
    for mod in figures.DRAWING_MODULES:
        h.update(Path(mod.__file__).read_bytes())
    return h.digest()


_LABEL_DIGESTS: dict[int, tuple[Mapping[str, str], bytes]] = {}


def _labels_digest(labels: Labels) -> bytes:
    """Digest of the whole text table of ``labels`` (once per table: kept with the table it was made of)."""
    table = labels._text
    known = _LABEL_DIGESTS.get(id(table))
    if known is None or known[0] is not table:
        known = (table, hashlib.sha256(repr(sorted(table.items())).encode()).digest())
        _LABEL_DIGESTS[id(table)] = known
    return known[1]


def _key(fn: Callable[..., object], args: tuple, kwargs: Mapping[str, object]) -> str:
    h = hashlib.sha256(_code_version())
    h.update(f"{fn.__module__}.{fn.__qualname__}{getattr(fn, '__defaults__', None)!r}".encode())
    _feed(h, args)
    _feed(h, sorted(kwargs.items()))
    return h.hexdigest()[:32]


def _feed(h: object, obj: object) -> None:
    """Add ``obj`` to the hash ``h`` (type-tagged, so different structures never hash alike)."""
    if obj is None or isinstance(obj, bool | int | float | str | bytes):
        h.update(f"{type(obj).__name__}:{obj!r};".encode())
    elif isinstance(obj, pd.DataFrame):
        h.update(f"df{obj.shape}{list(map(str, obj.columns))}{list(map(str, obj.dtypes))};".encode())
        _feed(h, obj.index)
        for col in range(obj.shape[1]):
            _feed(h, obj.iloc[:, col])
    elif isinstance(obj, pd.Series):
        h.update(f"s{len(obj)}{obj.name!r}{obj.dtype};".encode())
        _feed(h, obj.index)
        h.update(pd.util.hash_pandas_object(obj, index=False).to_numpy().tobytes())
    elif isinstance(obj, pd.Index):
        h.update(f"i{len(obj)}{obj.dtype};".encode())
        h.update(pd.util.hash_pandas_object(obj).to_numpy().tobytes())
    elif isinstance(obj, np.ndarray):
        h.update(f"a{obj.shape}{obj.dtype};".encode())
        h.update(np.ascontiguousarray(obj).tobytes())
    elif isinstance(obj, Labels):
        h.update(f"L{obj.lang};".encode())
        h.update(_labels_digest(obj))
    elif isinstance(obj, Mapping):
        h.update(f"m{len(obj)};".encode())
        for k, v in obj.items():
            _feed(h, k)
            _feed(h, v)
    elif isinstance(obj, list | tuple):
        h.update(f"{type(obj).__name__}{len(obj)};".encode())
        for v in obj:
            _feed(h, v)
    elif isinstance(obj, np.generic):
        _feed(h, obj.item())
    else:
        raise _Unhashable(type(obj).__name__)
