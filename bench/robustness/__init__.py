"""`python -m bench.robustness`: the hostile-network figures, measured from outside.

Four scenarios against a real `csms serve` process (SQLite in a temp dir):
- `crash`: stations of both versions charge while the server is killed with SIGKILL; every
  start, meter value and stop the server confirmed must be in the database afterwards.
- `retransmit`: 2.0.1 stations lose the reply to a TransactionEvent, reconnect and send it
  again with the same seqNo; no sample may be stored twice.
- `poison`: honest stations' replies and p99 alone, then beside stations sending values that
  fail inside a database ("NaN", a connectorId of 10^23).
- `idle`: thousands of idle and half-sent HTTP connections from many addresses; open
  descriptors, health-check latency and a new station's handshake while they are held.
"""
