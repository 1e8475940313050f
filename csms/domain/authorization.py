"""Authorization rules: what a stored token's record means at a given moment."""

from __future__ import annotations

from datetime import datetime

from csms.domain.model import AuthResult, AuthStatus, IdToken


def authorize(token: IdToken | None, now: datetime, accept_unknown: bool = False) -> AuthResult:
    """Unknown tokens are Unknown (1.6 says Invalid) unless the site accepts unknown tokens
    (a development setting); an expired Accepted token is Expired."""
    if token is None:
        return AuthResult(AuthStatus.ACCEPTED if accept_unknown else AuthStatus.UNKNOWN)
    status = token.status
    if status == AuthStatus.ACCEPTED and token.expires_at is not None and token.expires_at <= now:
        status = AuthStatus.EXPIRED
    return AuthResult(status=status, expires_at=token.expires_at, group_id=token.group_id)
