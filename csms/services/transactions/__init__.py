"""Charging sessions: the one version-neutral stream of transaction events and samples."""
