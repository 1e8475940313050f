"""One OCPP-J conversation, either side of it, as a state machine without I/O.

Feed it each received frame's text (`receive`) and it answers with one event; ask it to send
(`send_call`, `send_result`, `send_error`) and it answers with the text to write. It keeps
what correlation needs: the one call we have outstanding (OCPP-J 1.6 §4.1.1, 2.0.1 Part 4
§4.1.1: a sender waits for the reply, or its timeout, before its next CALL), with its deadline
on the caller's clock. The peer's calls need no state here: an answer names the id of the call
it answers, and the peer's own one-at-a-time rule is the peer's to keep (the server answers
frames in the order they come; keeping the latest unanswered id cost a tenth of the framing
time per frame and served no one). The caller owns the clock, the socket and the waiting;
nothing here blocks, sleeps or reads the time.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from orjson import JSONDecodeError
from orjson import dumps as _dumps
from orjson import loads as _loads

from ocppj.errors import wire_code
from ocppj.frames import (
    CALL,
    CALLRESULT,
    UNKNOWN_ID,
    Answered,
    Call,
    CallError,
    CallResult,
    Event,
    OutgoingCall,
    build_call,
    build_error,
    build_result,
    parse,
    read,
)


class CallInFlight(RuntimeError):
    """A CALL was asked for while another is outstanding: wait for its reply or deadline."""


def _uuid4() -> str:
    return str(uuid.uuid4())


class Connection:
    __slots__ = ("_new_id", "_outstanding", "version")

    def __init__(self, version: str, new_id: Callable[[], str] = _uuid4) -> None:
        self.version = version  # how CALLERROR codes are spelled (ocppj.errors)
        self._new_id = new_id
        self._outstanding: OutgoingCall | None = None

    # --- receiving -----------------------------------------------------------------------

    def receive(self, text: str | bytes) -> Event:
        """What one received frame is; never raises."""
        # The hot path, a well-formed CALL, is read inline: this runs for every frame.
        try:
            frame = _loads(text)
        except JSONDecodeError:
            msg = parse(text)
        else:
            if type(frame) is list and len(frame) == 4:
                kind, uid, action, payload = frame
                if (kind == CALL and type(kind) is int and type(uid) is str
                        and type(action) is str and uid != UNKNOWN_ID):
                    return Call(uid, action, payload)
            msg = read(frame)
        if isinstance(msg, CallResult | CallError):
            out = self._outstanding
            if out is not None and out.unique_id == msg.unique_id:
                self._outstanding = None
                return Answered(out, msg)
        return msg

    # --- sending -------------------------------------------------------------------------

    @property
    def outstanding(self) -> OutgoingCall | None:
        """Our call awaiting its reply, if any."""
        return self._outstanding

    def send_call(self, action: str, payload: Any, *, now: float, timeout: float,
                  unique_id: str | None = None) -> tuple[OutgoingCall, str]:
        """Our next CALL and its text; CallInFlight while the previous one is outstanding."""
        if self._outstanding is not None:
            raise CallInFlight(f"{self._outstanding.action} ({self._outstanding.unique_id}) "
                               "awaits its reply")
        uid = unique_id if unique_id is not None else self._new_id()
        text = build_call(uid, action, payload)  # a payload that cannot be written leaves no call
        call = self._outstanding = OutgoingCall(uid, action, now + timeout)
        return call, text

    def send_result(self, unique_id: str, payload: Any) -> str:
        try:
            return _dumps([CALLRESULT, unique_id, payload]).decode()
        except TypeError:
            return build_result(unique_id, payload)

    def send_error(self, unique_id: str, code: str, description: str = "",
                   details: Any = None) -> str:
        """A CALLERROR with the canonical `code` spelled as this version spells it."""
        return build_error(unique_id, wire_code(code, self.version), description, details)

    # --- time and failure ----------------------------------------------------------------

    @property
    def next_deadline(self) -> float | None:
        """When the outstanding call times out, on the clock given to `send_call`."""
        return None if self._outstanding is None else self._outstanding.deadline

    def expire(self, now: float) -> OutgoingCall | None:
        """The outstanding call if its deadline has passed at `now`; it is then given up, and a
        reply arriving later is an unmatched CallResult/CallError."""
        out = self._outstanding
        if out is not None and now >= out.deadline:
            self._outstanding = None
            return out
        return None

    def abandon(self, unique_id: str) -> OutgoingCall | None:
        """Give up the outstanding call `unique_id` (cancelled, or the socket failed)."""
        out = self._outstanding
        if out is not None and out.unique_id == unique_id:
            self._outstanding = None
            return out
        return None
