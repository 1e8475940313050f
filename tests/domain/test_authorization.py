"""Authorization rules for stored tokens."""

from datetime import UTC, datetime, timedelta

from csms.domain.authorization import authorize
from csms.domain.model import AuthStatus, IdToken

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def test_unknown_token_is_unknown() -> None:
    assert authorize(None, NOW).status == AuthStatus.UNKNOWN


def test_accepted_token_keeps_group_and_expiry() -> None:
    later = NOW + timedelta(days=1)
    result = authorize(IdToken("A", expires_at=later, group_id="coop"), NOW)
    expected = (AuthStatus.ACCEPTED, "coop", later)
    assert (result.status, result.group_id, result.expires_at) == expected


def test_expired_token_is_expired_and_blocked_stays_blocked() -> None:
    past = NOW - timedelta(seconds=1)
    assert authorize(IdToken("A", expires_at=past), NOW).status == AuthStatus.EXPIRED
    blocked = IdToken("B", status=AuthStatus.BLOCKED, expires_at=past)
    assert authorize(blocked, NOW).status == AuthStatus.BLOCKED


def test_accept_unknown_only_changes_unknown_tokens() -> None:
    assert authorize(None, NOW, accept_unknown=True).status == AuthStatus.ACCEPTED
    blocked = IdToken("B", status=AuthStatus.BLOCKED)
    assert authorize(blocked, NOW, accept_unknown=True).status == AuthStatus.BLOCKED
