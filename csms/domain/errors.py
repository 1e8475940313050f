"""Domain errors: raised by services, mapped to HTTP codes by the API and CALLERRORs by OCPP."""


class DomainError(Exception):
    """Base of every expected, user-facing failure."""


class NotFound(DomainError):
    pass


class Conflict(DomainError):
    pass


class InvalidInput(DomainError):
    pass


class StationOffline(DomainError):
    pass


class StationTimeout(DomainError):
    pass


class StationBadReply(DomainError):
    """The station answered, but with a reply the CSMS cannot use (a required field missing)."""


class StationCallError(DomainError):
    """The station answered a call with a CALLERROR."""

    def __init__(self, code: str, description: str, details: object = None) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.details = details


class StorageUnavailable(Exception):
    """The database refused or lost a write (disk full, read-only, connection gone): nothing
    of it is confirmed. Not a DomainError: the caller did nothing wrong and should retry, so a
    station gets InternalError and the API 503."""
