"""Open connections per client address, shared by the HTTP API and the OCPP endpoint.

One address holding thousands of sockets (idle, or half-sent requests) exhausted the file
descriptors of the whole process: each listener admits at most `limit` connections from one
address at a time and closes the rest at once.
"""

from __future__ import annotations

from collections import Counter


class AddressLimit:
    def __init__(self, limit: int) -> None:
        self.limit = limit  # 0: no limit
        self._open: Counter[str] = Counter()

    def acquire(self, address: str) -> bool:
        """Count one more connection of `address`; False (and nothing counted) when full."""
        if self.limit and self._open[address] >= self.limit:
            return False
        self._open[address] += 1
        return True

    def release(self, address: str) -> None:
        self._open[address] -= 1
        if self._open[address] <= 0:
            del self._open[address]

    def open(self, address: str) -> int:
        return self._open[address]


def peer_host(peername: object) -> str:
    """The host part of a socket's peer name (IPv4/IPv6 tuple); the whole name otherwise."""
    if isinstance(peername, tuple) and peername:
        return str(peername[0])
    return str(peername)
