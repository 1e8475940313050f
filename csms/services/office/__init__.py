"""The back office: people and their credentials, the admin token, sign-in throttling, the
audit log, and the reports and statements over transactions."""
