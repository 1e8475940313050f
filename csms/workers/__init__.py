"""Background loops owned by the server: presence flushing, message-log flushing."""
