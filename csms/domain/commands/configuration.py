"""Reading and writing a station's configuration: 1.6 keys, 2.0.1 variables.

The API names a key by its label (a 1.6 key, or `Component.Variable` in 2.0.1); the edge
answers with the typed key (csms.domain.device.VarKey: component, instance, EVSE, variable)
beside each label, so nothing after the edge splits a label again. `var`, `unknown` and the
like are the typed keys: they travel between nodes but are not part of the API's answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from csms.domain.commands.base import Command, Result
from csms.domain.device import VarKey

_INTERNAL = {"internal": True}


@dataclass(frozen=True, slots=True)
class ConfigurationValue:
    key: str  # the label, as the API names it
    value: str | None
    readonly: bool | None  # None: the station did not say (2.0.1 GetVariables)
    var: VarKey = field(metadata=_INTERNAL)


@dataclass(frozen=True, slots=True)
class ConfigurationResult(Result):
    configuration: list[ConfigurationValue]
    unknown_keys: list[str]
    unknown: list[VarKey] = field(default_factory=list, metadata=_INTERNAL)


@dataclass(frozen=True)
class GetConfiguration(Command[ConfigurationResult]):
    """None: every key (1.6 only; 2.0.1 reports its inventory through get-base-report)."""

    name = "get-configuration"
    result = ConfigurationResult
    keys: list[str] | None = None


@dataclass(frozen=True, slots=True)
class ConfigurationSetResult(Result):
    reboot_required: bool
    var: VarKey | None = field(default=None, metadata=_INTERNAL)


@dataclass(frozen=True)
class SetConfiguration(Command[ConfigurationSetResult]):
    name = "set-configuration"
    result = ConfigurationSetResult
    key: str
    value: str
