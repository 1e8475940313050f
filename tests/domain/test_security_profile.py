"""The handshake rule of each security profile and the profile a station change leads to, as
tables (docs/adr/0012-station-security-profiles.md)."""

from __future__ import annotations

import pytest

from csms.domain.security import Handshake, SecurityProfile, Verdict, judge, next_profile

P = SecurityProfile
PLAIN, PLAIN_PW = Handshake(False, False, False), Handshake(False, False, True)
TLS, TLS_PW = Handshake(True, False, False), Handshake(True, False, True)
CERT = Handshake(True, True, False)

RULES = [  # profile, handshake, station has a password, verdict
    (P.NONE, PLAIN, False, Verdict.ADMIT),
    (P.NONE, PLAIN, True, Verdict.ADMIT),
    (P.NONE, PLAIN_PW, True, Verdict.CHECK_PASSWORD),
    (P.NONE, PLAIN_PW, False, Verdict.ADMIT),
    (P.BASIC, PLAIN, True, Verdict.REFUSE_NO_PASSWORD),
    (P.BASIC, PLAIN_PW, True, Verdict.CHECK_PASSWORD),
    (P.BASIC, TLS_PW, True, Verdict.CHECK_PASSWORD),
    (P.BASIC, PLAIN_PW, False, Verdict.REFUSE_NO_PASSWORD),
    (P.BASIC, CERT, True, Verdict.ADMIT),
    (P.TLS_BASIC, PLAIN_PW, True, Verdict.REFUSE_TRANSPORT),
    (P.TLS_BASIC, TLS, True, Verdict.REFUSE_NO_PASSWORD),
    (P.TLS_BASIC, TLS_PW, True, Verdict.CHECK_PASSWORD),
    (P.TLS_BASIC, CERT, True, Verdict.ADMIT),
    (P.TLS_CERTIFICATE, PLAIN, False, Verdict.REFUSE_TRANSPORT),
    (P.TLS_CERTIFICATE, PLAIN_PW, True, Verdict.REFUSE_TRANSPORT),
    (P.TLS_CERTIFICATE, TLS_PW, True, Verdict.REFUSE_CERTIFICATE),
    (P.TLS_CERTIFICATE, TLS, False, Verdict.REFUSE_CERTIFICATE),
    (P.TLS_CERTIFICATE, CERT, False, Verdict.ADMIT),
]


@pytest.mark.parametrize(("profile", "hs", "has_password", "verdict"), RULES)
def test_handshake_rule(profile: SecurityProfile, hs: Handshake, has_password: bool,
                        verdict: Verdict) -> None:
    assert judge(profile, hs, has_password) == verdict


CHANGES = [  # current, has a password after, password changed, given, result
    (P.NONE, True, True, None, P.BASIC),
    (P.BASIC, False, True, None, P.NONE),
    (P.TLS_BASIC, False, True, None, P.NONE),
    (P.TLS_BASIC, True, True, None, P.TLS_BASIC),
    (P.TLS_CERTIFICATE, False, True, None, P.TLS_CERTIFICATE),
    (P.TLS_CERTIFICATE, True, True, None, P.TLS_CERTIFICATE),
    (P.NONE, False, False, P.TLS_CERTIFICATE, P.TLS_CERTIFICATE),
    (P.BASIC, True, False, P.NONE, P.NONE),
    (P.NONE, True, True, P.NONE, P.NONE),  # named wins over derived
]


@pytest.mark.parametrize(("current", "has_password", "changed", "given", "result"), CHANGES)
def test_profile_after_a_change(current: SecurityProfile, has_password: bool, changed: bool,
                                given: SecurityProfile | None, result: SecurityProfile) -> None:
    assert next_profile(current, has_password, changed, given) == result


@pytest.mark.parametrize("given", [P.BASIC, P.TLS_BASIC])
def test_password_profiles_need_a_password(given: SecurityProfile) -> None:
    with pytest.raises(ValueError, match="needs a password"):
        next_profile(P.NONE, False, False, given)
    with pytest.raises(ValueError, match="needs a password"):
        next_profile(given, False, True, given)
