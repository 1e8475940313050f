"""Station security: the built-in certificate authority, certificates issued and delivered,
security events, passwords and security profiles set through the API."""
