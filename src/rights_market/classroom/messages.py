"""Messages of the classroom WebSocket protocol (client → server), validated with pydantic.

Every message is one JSON object with a ``type``; unknown fields are errors, so a message cannot say whose
order it is — the server knows that from the connection's token. ``ref`` is an optional client reference
echoed in the answer. Prices are decimal yuan per base unit (a string such as ``"1.081"`` or a JSON number,
at most 4 decimals), quantities whole base units.

First message of a connection (hello):

* ``{"type": "trainer_hello", "token": ...}`` — the trainer, with the token printed at start;
* ``{"type": "join", "name": ..., "code": ...}`` — a participant joining with the join code;
* ``{"type": "rejoin", "token": ...}`` — a participant coming back with its token.

Participant messages: ``order`` (side, price, quantity), ``cancel`` (order_id), ``register`` (lot),
``bid`` (lot, price). Trainer message: ``control`` (action: start, pause, step, reset, finish). Either:
``ping``.

Answers (server → client): ``welcome``, ``ack`` (with ``ok`` and, for orders, ``order_id``, ``status``,
``reason`` — a reason code; a control's ack has ``note`` with its ``code`` and ``params``), ``error`` (with
``code`` and ``params`` for the pages, :mod:`.notices`, the English text ``error`` and, for invalid messages,
``problems``), ``state`` (a snapshot; the trainer's feed items carry ``code`` and ``params`` too) and
``results`` (where a finished session was written).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, TypeAdapter, ValidationError

from .notices import Notice

#: Largest message accepted, in bytes of text.
MAX_MESSAGE_BYTES = 4096
#: Deepest nesting of brackets (``[`` and ``{``) accepted; every valid message is one flat object (depth 1).
MAX_MESSAGE_DEPTH = 8

Ref = Annotated[StrictStr, Field(max_length=64)] | None
Price = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=4, allow_inf_nan=False)]


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    ref: Ref = None


class TrainerHello(_Message):
    type: Literal["trainer_hello"]
    token: Annotated[StrictStr, Field(min_length=1, max_length=200)]


class Join(_Message):
    type: Literal["join"]
    name: Annotated[StrictStr, Field(min_length=1, max_length=80)]
    code: Annotated[StrictStr, Field(min_length=1, max_length=20)]


class Rejoin(_Message):
    type: Literal["rejoin"]
    token: Annotated[StrictStr, Field(min_length=1, max_length=200)]


class PlaceOrder(_Message):
    type: Literal["order"]
    side: Literal["buy", "sell"]
    price: Price
    quantity: Annotated[StrictInt, Field(gt=0, le=10**12)]


class CancelOrder(_Message):
    type: Literal["cancel"]
    order_id: Annotated[StrictInt, Field(gt=0, le=2**62)]


class Register(_Message):
    type: Literal["register"]
    lot: Annotated[StrictStr, Field(min_length=1, max_length=40)]


class Bid(_Message):
    type: Literal["bid"]
    lot: Annotated[StrictStr, Field(min_length=1, max_length=40)]
    price: Price


class Control(_Message):
    type: Literal["control"]
    action: Literal["start", "pause", "step", "reset", "finish"]


class Ping(_Message):
    type: Literal["ping"]


Message = Annotated[
    TrainerHello | Join | Rejoin | PlaceOrder | CancelOrder | Register | Bid | Control | Ping,
    Field(discriminator="type"),
]
HELLO = (TrainerHello, Join, Rejoin)
PARTICIPANT = (PlaceOrder, CancelOrder, Register, Bid)
TRAINER = (Control,)

_ADAPTER: TypeAdapter = TypeAdapter(Message)


class MessageError(ValueError):
    """A message that is not valid: ``notice`` says why (its text is the error's, its code and params go to the
    page, :mod:`.notices`); ``problems`` lists ``{"field", "message"}`` pairs."""

    def __init__(self, notice: Notice, problems: list[dict[str, str]] | None = None):
        super().__init__(notice)
        self.notice = notice
        self.problems = problems or []


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``[``/``{`` in JSON text, brackets inside strings not counted (one pass, no
    parsing, so hostile text cannot make a parser recurse)."""
    depth = peak = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            peak = max(peak, depth)
        elif ch in "]}":
            depth = max(depth - 1, 0)
    return peak


def check_shape(text: str | bytes) -> str:
    """The message as text, once it is known to be UTF-8, at most :data:`MAX_MESSAGE_BYTES` long and nested at
    most :data:`MAX_MESSAGE_DEPTH` deep; :class:`MessageError` otherwise. Runs before any JSON parsing."""
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_MESSAGE_BYTES:
        raise MessageError(Notice("message_too_long", size=f"{size:,}", most=f"{MAX_MESSAGE_BYTES:,}"))
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MessageError(Notice("message_not_utf8")) from exc
    openers = text.count("[") + text.count("{")  # an upper bound of the depth: most messages stop here
    depth = nesting_depth(text) if openers > MAX_MESSAGE_DEPTH else openers
    if depth > MAX_MESSAGE_DEPTH:
        raise MessageError(Notice("message_too_deep", depth=f"{depth:,}", most=MAX_MESSAGE_DEPTH))
    return text


def parse(text: str | bytes) -> BaseModel:
    """Validate one message (JSON text); raises :class:`MessageError` with a readable reason. Size and
    nesting are checked first (:func:`check_shape`)."""
    text = check_shape(text)
    try:
        return _ADAPTER.validate_json(text)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = ".".join(str(p) for p in err.get("loc", ()) if p not in _TAGS) or "message"
            problems.append({"field": loc, "message": err.get("msg", "invalid")})
        first = problems[0] if problems else {"field": "message", "message": "invalid"}
        raise MessageError(Notice("message_invalid", field=first["field"], problem=first["message"]), problems) from exc


_TAGS = frozenset({"trainer_hello", "join", "rejoin", "order", "cancel", "register", "bid", "control", "ping"})


def ref_of(text: str | bytes) -> str | None:
    """The ``ref`` of a message that may be invalid (to echo it in the error), if one can be read."""
    import json

    try:
        obj = json.loads(check_shape(text))
    except (ValueError, TypeError, RecursionError):
        return None
    ref = obj.get("ref") if isinstance(obj, dict) else None
    return ref if isinstance(ref, str) and len(ref) <= 64 else None


__all__ = [
    "HELLO",
    "MAX_MESSAGE_BYTES",
    "MAX_MESSAGE_DEPTH",
    "PARTICIPANT",
    "TRAINER",
    "Bid",
    "CancelOrder",
    "Control",
    "Join",
    "Message",
    "MessageError",
    "Ping",
    "PlaceOrder",
    "Register",
    "Rejoin",
    "TrainerHello",
    "check_shape",
    "nesting_depth",
    "parse",
    "ref_of",
]
