"""What stations are and hold: the device model, the metering set on boot, requested
availability, vendor DataTransfer handlers, and the compatibility profiles of station models."""
