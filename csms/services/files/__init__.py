"""Files to and from stations: firmware updates and diagnostics/log uploads, as jobs."""
