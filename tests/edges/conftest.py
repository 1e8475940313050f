"""Module-scoped servers of tests/ocpp, for the edge tests too."""

from tests.api.conftest import shared_api, shared_server, stations, st16, st201  # noqa: F401
from tests.ocpp.conftest import accepting_server  # noqa: F401
