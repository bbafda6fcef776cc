"""What keeps a live classroom safe from guessing, floods and idle sockets: the limits and their bookkeeping.

Every time used here comes from the clock the caller passes (``Callable[[], float]``, seconds), so tests move
time by hand instead of sleeping.

**The join code** is :data:`CODE_LENGTH` characters from :data:`CODE_ALPHABET` (no 0/O, 1/I/L look-alikes;
typed case-insensitively, spaces and hyphens ignored). Wrong codes are limited three ways:

* per connection: five wrong codes close it (``live.MAX_BAD_CODES``);
* per client address, across connections: at most ``address_failures`` failed hellos in any
  ``address_window_seconds`` (a sliding window); more are refused without looking at the code;
* per code, across all addresses: ``code_failures`` wrong codes within ``code_window_seconds`` lock joining
  for ``lock_seconds`` and tell the trainer. People who already joined are not affected (a ``rejoin`` carries
  their token, not the code).

Expected time to guess the code, with the defaults: the space is ``31**8 = 852,891,037,441`` codes. The
per-code budget lets through at most 100 wrong codes per 600 s window (then joining is locked for 600 s),
so at most 100 guesses per 600 s, 14,400 a day, from any number of addresses. Finding the code takes half
the space on average: ``852,891,037,441 / 2 / 14,400 ≈ 29.6 million days ≈ 81,000 years``; the chance of
hitting it within a 3-hour class is ``1,800 / 852,891,037,441 ≈ 2 × 10⁻⁹``. (The 6-digit code it replaces,
guessed at 998 a second over fresh connections, fell in about 8 minutes on average.)

**Sockets** that have not said who they are (*pending*) are counted apart from identified ones: at most
``pending_per_address`` from one address (more are refused at the handshake) and ``pending_sockets`` in all
(a newcomer beyond that closes the oldest pending one: a real client says hello within a round trip, so only
a silent socket gets old), and each must send its hello within ``hello_seconds`` or is closed. Identified
connections have their own cap (``connections``) and at most ``sockets_per_identity`` per seat (or for the
trainer), so idle sockets never take a student's place.

**Messages** are limited in size (``messages.MAX_MESSAGE_BYTES``) and bracket depth
(``messages.MAX_MESSAGE_DEPTH``) before they are parsed; the rate limit (``rate``/``burst`` of
:class:`~rights_market.classroom.live.LiveClassroom`) is kept per participant (seat), for the trainer, and
per address for connections not yet identified, shared by all their sockets.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import secrets
import socket
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .notices import Notice

Clock = Callable[[], float]

#: Characters of a join code: digits and capitals without the look-alikes 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#: Characters in a join code.
CODE_LENGTH = 8
#: Host names every loopback server answers to.
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_MAX_TRACKED = 4096  # addresses remembered before stale ones are dropped


def new_join_code() -> str:
    """A fresh join code: :data:`CODE_LENGTH` characters from :data:`CODE_ALPHABET`, drawn by :mod:`secrets`."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code: str) -> str:
    """A join code as compared: capitals, without spaces and hyphens (``"abcd-efgh"`` is ``"ABCDEFGH"``)."""
    return "".join(ch for ch in str(code).upper() if not ch.isspace() and ch != "-")


@dataclass(frozen=True)
class Safety:
    """The limits of a live classroom (module docstring); each field says its unit."""

    #: seconds a new socket has to send its hello (trainer_hello, join or rejoin)
    hello_seconds: float = 5.0
    #: sockets not yet identified, all addresses together
    pending_sockets: int = 200
    #: sockets not yet identified from one client address (a class behind one NAT address reconnects at once)
    pending_per_address: int = 64
    #: identified connections (trainer and participants), all together
    connections: int = 1000
    #: open connections of one participant seat, or of the trainer
    sockets_per_identity: int = 8
    #: failed hellos (wrong code, unknown token, wrong trainer token) from one address per window
    address_failures: int = 20
    #: seconds of the per-address sliding window
    address_window_seconds: float = 60.0
    #: wrong join codes, from anywhere, per window, before joining is locked
    code_failures: int = 100
    #: seconds of the per-code sliding window
    code_window_seconds: float = 600.0
    #: seconds joining stays locked once the per-code budget is spent
    lock_seconds: float = 600.0

    def expected_guess_days(self, alphabet: int = len(CODE_ALPHABET), length: int = CODE_LENGTH) -> float:
        """Expected days to guess a join code at the fastest rate the per-code budget allows."""
        per_day = self.code_failures * 86_400 / self.code_window_seconds
        return alphabet ** length / 2 / per_day


class SlidingWindow:
    """Times of events in the last ``seconds``: ``count`` how many, ``wait`` until one more would fit."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.times: deque[float] = deque()

    def _expire(self, now: float) -> None:
        while self.times and self.times[0] <= now - self.seconds:
            self.times.popleft()

    def count(self, now: float) -> int:
        self._expire(now)
        return len(self.times)

    def add(self, now: float) -> int:
        self._expire(now)
        self.times.append(now)
        return len(self.times)

    def wait(self, now: float, limit: int) -> float:
        """Seconds until fewer than ``limit`` events are in the window (0 if already)."""
        self._expire(now)
        if len(self.times) < limit:
            return 0.0
        return self.times[len(self.times) - limit] + self.seconds - now


class JoinGuard:
    """Failed hellos per address and wrong join codes per code, across connections (module docstring)."""

    def __init__(self, safety: Safety, clock: Clock = time.monotonic) -> None:
        self.safety = safety
        self.clock = clock
        self.by_address: dict[str, SlidingWindow] = {}
        self.code_failures = SlidingWindow(safety.code_window_seconds)
        self.locked_until = -math.inf
        self.locks = 0

    def locked_seconds(self) -> float:
        """Seconds joining stays locked (0 when open)."""
        return max(0.0, self.locked_until - self.clock())

    def refusal(self, address: str, joining: bool) -> Notice | None:
        """Why a hello from ``address`` is refused before its credentials are looked at, or None.
        ``joining``: a ``join`` (also refused while joining is locked), not a rejoin or trainer hello."""
        now = self.clock()
        if joining and now < self.locked_until:
            return Notice("join_locked", seconds=math.ceil(self.locked_until - now))
        window = self.by_address.get(address)
        if window is not None:
            wait = window.wait(now, self.safety.address_failures)
            if wait > 0:
                return Notice("address_failures", failures=self.safety.address_failures,
                              window=self.safety.address_window_seconds, seconds=math.ceil(wait))
        return None

    def failed(self, address: str, wrong_code: bool) -> bool:
        """Count a failed hello from ``address`` (``wrong_code``: a wrong join code, which also counts against
        the code's budget). True when this failure locked joining."""
        now = self.clock()
        if address not in self.by_address and len(self.by_address) >= _MAX_TRACKED:
            self._forget_stale(now)
        self.by_address.setdefault(address, SlidingWindow(self.safety.address_window_seconds)).add(now)
        if not wrong_code:
            return False
        if self.code_failures.add(now) >= self.safety.code_failures:
            self.locked_until = now + self.safety.lock_seconds
            self.code_failures.times.clear()
            self.locks += 1
            return True
        return False

    def _forget_stale(self, now: float) -> None:
        for addr in [a for a, w in self.by_address.items() if w.count(now) == 0]:
            del self.by_address[addr]
        if len(self.by_address) >= _MAX_TRACKED:  # all busy: forget the oldest
            del self.by_address[next(iter(self.by_address))]


# ---------------------------------------------------------------------------------------------- Host header
def host_name(header: str | None) -> str | None:
    """The host name of a ``Host`` header (``"[::1]:8000"`` → ``"::1"``), lower case, or None if unreadable."""
    if not header:
        return None
    try:
        name = urlsplit("//" + header.strip()).hostname
    except ValueError:
        return None
    return name.rstrip(".") if name else None


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def machine_addresses() -> set[str]:
    """The addresses and names of this machine: its host name, what that resolves to, the addresses of its
    network interfaces (Linux ``/proc``), and the source addresses of its default routes."""
    found: set[str] = set()
    for name in {socket.gethostname(), socket.getfqdn()}:
        if name:
            found.add(name.lower())
            with contextlib.suppress(OSError):
                found.update(str(info[4][0]) for info in socket.getaddrinfo(name, None))
    try:  # local IPv4 addresses: the "/32 host LOCAL" entries of the routing trie
        lines = Path("/proc/net/fib_trie").read_text().splitlines()
        for prev, line in zip(lines, lines[1:], strict=False):
            if "/32 host LOCAL" in line:
                found.add(prev.split()[-1])
    except OSError:
        pass
    try:
        for line in Path("/proc/net/if_inet6").read_text().splitlines():
            raw = line.split()[0]
            found.add(str(ipaddress.ip_address(":".join(raw[i:i + 4] for i in range(0, 32, 4)))))
    except (OSError, ValueError, IndexError):
        pass
    for family, probe in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        try:  # connecting a UDP socket sends nothing; it picks the source address of the route
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.connect((probe, 9))
                found.add(s.getsockname()[0])
        except OSError:
            pass
    return {str(_ip(a)) if _ip(a) else a for a in found}


def served_hosts(bind_host: str, allow: Iterable[str] = ()) -> frozenset[str]:
    """Host names a server bound to ``bind_host`` answers to: that host; the loopback names when it is a
    loopback address; the machine's addresses and names (and loopback) when it is ``0.0.0.0``/``::``; and
    the names given in ``allow`` (``--allow-host``)."""
    names = {bind_host.lower().strip("[]")} | {a.lower().strip("[]").rstrip(".") for a in allow if a.strip()}
    ip = _ip(bind_host)
    if bind_host.lower() == "localhost" or (ip is not None and ip.is_loopback):
        names |= LOOPBACK_HOSTS
    if ip is not None and ip.is_unspecified:
        names |= LOOPBACK_HOSTS | machine_addresses()
    return frozenset(str(_ip(n)) if _ip(n) else n for n in names)


def host_allowed(header: str | None, allowed: frozenset[str]) -> bool:
    """Whether a request's ``Host`` header names one of the ``allowed`` hosts (the port is not compared)."""
    name = host_name(header)
    if name is None:
        return False
    ip = _ip(name)
    return (str(ip) if ip else name) in allowed


__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "LOOPBACK_HOSTS",
    "JoinGuard",
    "Safety",
    "SlidingWindow",
    "host_allowed",
    "host_name",
    "machine_addresses",
    "new_join_code",
    "normalize_code",
    "served_hosts",
]
