"""The rule deciding which metering settings a station is asked for (csms.domain.station_setup)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from csms.domain.errors import InvalidInput
from csms.domain.station_setup import (
    AppliedSetting,
    MeteringPolicy,
    MeterSetting,
    SettingRequest,
    due,
    without_optional,
)

AT = datetime(2026, 12, 6, tzinfo=UTC)
POLICY = MeteringPolicy()


def asked(policy: MeteringPolicy, status: str = "Accepted", firmware: str | None = "1.0",
          **values: str) -> dict[MeterSetting, AppliedSetting]:
    out = {}
    for setting, value in policy.values().items():
        v = values.get(setting.value, value)
        out[setting] = AppliedSetting("CP", setting, v, v, status, "k", None, 0, firmware, AT)
    return out


def test_everything_is_due_for_a_station_never_asked() -> None:
    assert [r.setting for r in due(POLICY, {}, "1.0")] == list(MeterSetting)


@pytest.mark.parametrize("status", ["Accepted", "RebootRequired", "Rejected", "NotSupported",
                                    "UnknownComponent", "UnknownVariable"])
def test_nothing_is_due_once_every_value_got_a_settled_answer(status: str) -> None:
    assert due(POLICY, asked(POLICY, status), "1.0") == []


def test_a_failed_ask_is_due_again() -> None:
    assert len(due(POLICY, asked(POLICY, "Failed"), "1.0")) == 5


def test_only_the_changed_value_is_due_after_a_policy_change() -> None:
    changed = MeteringPolicy(sample_interval_s=30, version=2, site_id="s")
    assert due(changed, asked(POLICY), "1.0") == [
        SettingRequest(MeterSetting.SAMPLE_INTERVAL_S, "30", "30")]


def test_other_firmware_makes_everything_due() -> None:
    assert len(due(POLICY, asked(POLICY), "2.0")) == 5


def test_a_disabled_policy_asks_nothing() -> None:
    assert due(MeteringPolicy(enabled=False), {}, "1.0") == []


def test_soc_is_dropped_from_a_measurand_list_but_nothing_else() -> None:
    sampled = SettingRequest(MeterSetting.SAMPLED_MEASURANDS, "A,SoC", "A,SoC")
    assert without_optional(sampled) == SettingRequest(MeterSetting.SAMPLED_MEASURANDS, "A",
                                                       "A,SoC")
    assert without_optional(SettingRequest(MeterSetting.SAMPLED_MEASURANDS, "SoC", "SoC")) is None
    assert without_optional(SettingRequest(MeterSetting.SAMPLE_INTERVAL_S, "60", "60")) is None


@pytest.mark.parametrize("fields", [{"sampled_measurands": ("Joy",)},
                                    {"ended_measurands": ("SoC", "SoC")},
                                    {"sample_interval_s": -1}, {"aligned_interval_s": 86_401}])
def test_a_bad_policy_is_refused(fields: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        MeteringPolicy(**fields)  # type: ignore[arg-type]
