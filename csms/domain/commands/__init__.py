"""Commands to stations in the domain's words: one frozen dataclass per command, each naming
its typed result. The OCPP edge (csms.ocpp.vXX.commands) holds, per version, one table from
command type to how the call is built and the reply parsed; the services send commands through
`StationGateway.send` and keep what the result says themselves.

Importing this package imports every command module, so `COMMAND_TYPES` is complete.
"""

from csms.domain.commands import (
    authorization,
    capabilities,
    certificates,
    charging,
    configuration,
    device,
    files,
    metering,
    station,
)
from csms.domain.commands.base import (
    COMMAND_TYPES,
    Command,
    Result,
    StatusResult,
    api_commands,
)
from csms.domain.commands.codec import from_data, to_data

__all__ = ["COMMAND_TYPES", "Command", "Result", "StatusResult", "api_commands",
           "authorization", "capabilities", "certificates", "charging",
           "configuration", "device", "files", "from_data", "metering", "station",
           "to_data"]
