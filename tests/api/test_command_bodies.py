"""The command bodies are one table keyed to the typed command registry."""

from __future__ import annotations

from typing import Any

import pytest

from csms.api import command_bodies
from csms.domain.commands import api_commands
from csms.domain.commands.capabilities import GetProfileCapabilities


def test_every_offered_command_has_one_body_under_its_name() -> None:
    bodies = command_bodies.command_bodies()
    assert list(bodies)[:len(command_bodies.WRITTEN)] == [t.name for t in command_bodies.WRITTEN]
    assert set(bodies) == set(api_commands())
    for typed, body in command_bodies.WRITTEN.items():
        assert bodies[typed.name] is body


def test_a_body_for_a_command_the_api_does_not_offer_is_refused(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    written: dict[Any, Any] = dict(command_bodies.WRITTEN)
    written[GetProfileCapabilities] = command_bodies.station.Empty  # csms sends it itself
    monkeypatch.setattr(command_bodies, "WRITTEN", written)
    with pytest.raises(TypeError, match="probe-profile-capabilities"):
        command_bodies.command_bodies()
