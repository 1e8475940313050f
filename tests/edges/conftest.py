"""Module-scoped servers of tests/ocpp, for the edge tests too."""

from tests.api.conftest import shared_api, shared_server, st16, st201, stations  # noqa: F401
from tests.ocpp.conftest import accepting_server  # noqa: F401
