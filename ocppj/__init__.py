"""OCPP-J without I/O: framing, message ids, CALL/CALLRESULT/CALLERROR, and correlation.

The model is python-websockets' sans-I/O `protocol.py`: a `Connection` is fed the text of each
frame received and answers with one event; asked to send, it answers with the text to write.
It never touches a socket, a clock or an event loop: timeouts are deadlines on the caller's
clock, checked when the caller says what time it is. Both the server (csms.ocpp.session) and
the simulators (simulators.rpc) drive it; it imports neither of them.
"""

from ocppj.connection import CallInFlight, Connection
from ocppj.errors import V16, V201, wire_code
from ocppj.frames import (
    CALL,
    CALLERROR,
    CALLRESULT,
    Answered,
    BadFrame,
    Call,
    CallError,
    CallResult,
    Event,
    OutgoingCall,
    build_call,
    build_error,
    build_result,
    decode,
    encode,
    parse,
)

__all__ = [
    "CALL", "CALLERROR", "CALLRESULT", "V16", "V201",
    "Answered", "BadFrame", "Call", "CallError", "CallInFlight", "CallResult", "Connection",
    "Event", "OutgoingCall",
    "build_call", "build_error", "build_result", "decode", "encode", "parse", "wire_code",
]
