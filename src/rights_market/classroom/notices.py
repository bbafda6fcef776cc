"""What the classroom server tells the pages, as stable codes with parameters (so each page can say it in its
own language).

Every error, control note and feed event the server sends carries a ``code`` from :data:`TEXTS` and its
``params``; the pages show the label ``classroom.msg.<code>`` of their language with the ``{name}`` fields
filled from the params, and fall back to the English text the message also carries (``error``, ``note`` or
``text``: kept for API clients and logs). :class:`Notice` is that English text as a ``str`` that also knows its
code and params, so code that only wants the text (and existing callers comparing texts) keeps working.

Each English text below and its two labels (``data/labels/{en,zh}.yaml``) use the same ``{fields}``.
"""

from __future__ import annotations

from typing import Any

#: code -> English text with ``{fields}``; the label of a code is ``classroom.msg.<code>``
TEXTS: dict[str, str] = {
    # --- connections and hellos (live, guard)
    "rate_limited": "too many messages: at most {rate} a second; slow down",
    "hello_first": "say who you are first: trainer_hello, join or rejoin",
    "already_identified": "this connection is already identified",
    "trainer_cannot_trade": "only a participant can trade; the trainer watches and controls",
    "trainer_only": "only the trainer can control the market",
    "internal_error": "internal error while handling the message: {error}",
    "address_waiting": "too many connections from your address waiting to say hello",
    "server_busy": "the server is busy: too many connections waiting to say hello; connect again",
    "hello_timeout": "no hello within {seconds} s: say who you are right after connecting (trainer_hello, join or "
                     "rejoin)",
    "too_many_connections": "the classroom has too many connections; close a page you do not use",
    "wrong_trainer_token": "wrong trainer token",
    "trainer_pages_full": "the trainer has {pages} pages open already; close one",
    "unknown_token": "unknown token: join again with your name and the join code",
    "seat_pages_full": "this seat has {pages} pages open already; close one",
    "join_locked_alert": "joining is locked for {seconds} s: {failures} wrong join codes within {window} s — someone "
                         "may be guessing the code. People who joined can still come back.",
    "join_locked": "joining is locked for {seconds} s after too many wrong join codes; the trainer has been told",
    "address_failures": "too many failed attempts from your address ({failures} in {window} s); try again in "
                        "{seconds} s",
    "market_error": "internal error in the market ({error}: {detail}); the market is paused",
    "results_failed": "could not write the results: {error}: {detail}",
    "refused": "{text}",  # a refusal without a code of its own (none is sent today; kept as the safe fallback)
    # --- invalid messages (messages.parse)
    "message_too_long": "message too long: {size} bytes, at most {most}; send one small JSON object",
    "message_not_utf8": "a message must be UTF-8 JSON text",
    "message_too_deep": "message nested too deeply: {depth} levels of brackets, at most {most}; send one flat JSON "
                        "object",
    "message_invalid": "invalid message: {field}: {problem}",
    # --- joining and controls (session)
    "name_length": "a name needs 1 to 40 characters",
    "name_control_chars": "a name may not hold control characters",
    "wrong_join_code": "wrong join code",
    "classroom_full": "the classroom is full: every seat for a person is taken",
    "unknown_control": "unknown control {action}; expected one of {expected}",
    "control_finished": "the session is finished; reset to play again",
    "already_running": "the market is already running",
    "not_running": "the market is not running",
    "pause_before_step": "pause the market before stepping",
    # --- notes of a control's ack (session.control)
    "note_running": "running",
    "note_paused": "paused",
    "note_stepped": "stepped",
    "note_idle": "nothing left to do",
    "note_reset": "reset",
    "note_finished": "finished",
    # --- the trainer's feed of events (engine, lots)
    "feed_trade": "{buyer} buys {quantity} {unit} from {seller} at {price} ({mechanism})",
    "feed_session_over": "the session is over: every period has been played",
    "feed_period_opens": "period {period} of {periods} opens",
    "feed_period_closes": "period {period} closes: {trades} trades, {volume} {unit}",
    "feed_period_closes_eff": "period {period} closes: {trades} trades, {volume} {unit}, efficiency {efficiency}",
    "feed_trainer_finished": "the trainer finished the session",
    "feed_withdraws": "{who} withdraws its order",
    "feed_bid": "{who} bids {price} for {quantity} {unit}",
    "feed_ask": "{who} asks {price} for {quantity} {unit}",
    "feed_bid_rejected": "{who} bids {price} for {quantity} {unit} — rejected: {reason}",
    "feed_ask_rejected": "{who} asks {price} for {quantity} {unit} — rejected: {reason}",
    "feed_cancels": "{who} cancels order {order}",
    "feed_reserve_bid": "the reserve bids {quantity} {unit} at {price} (last price {last}, price below trigger)",
    "feed_reserve_offer": "the reserve offers {quantity} {unit} at {price} (last price {last}, price above trigger)",
    "feed_lot_listed": "lot {lot}: {quantity} {unit} listed by the reserve at {price}; registration open",
    "feed_lot_registers": "lot {lot}: {who} registers",
    "feed_lot_bids": "lot {lot}: {who} bids {price}",
    "feed_lot_one_bidder": "lot {lot}: one bidder, sold to {who} at {price}",
    "feed_lot_no_bidder": "lot {lot}: no bidder, unsold",
    "feed_lot_round_opens": "lot {lot}: {bidders} bidders; the bidding round opens ({seconds} s)",
    "feed_lot_sold": "lot {lot}: sold to {who} at {price}",
    "feed_lot_no_bid": "lot {lot}: no bid, unsold",
}


def plain(value: Any) -> Any:
    """A parameter as JSON shows it best: a whole float as an int (``20.0`` -> ``20``), anything else as is."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class Notice(str):
    """The English text of :data:`TEXTS` ``[code]`` filled with ``params``; also carries ``code`` and
    ``params`` (KeyError for a code not in :data:`TEXTS`, so nothing without a label can be sent)."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, **params: Any) -> Notice:
        fields = {k: plain(v) for k, v in params.items()}
        self = super().__new__(cls, TEXTS[code].format(**fields))
        self.code, self.params = code, fields
        return self

    def fields(self) -> dict[str, Any]:
        """``{"code": ..., "params": ...}`` for a message to a page."""
        return {"code": self.code, "params": self.params}


__all__ = ["TEXTS", "Notice", "plain"]
