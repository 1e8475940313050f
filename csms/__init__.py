"""csms: a green-first charging-station management server for OCPP 1.6 and 2.0.1."""

__version__ = "0.1.0"
