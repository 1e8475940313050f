"""What the compatibility profiles and the violation log need from persistence."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from csms.domain.compatibility import CompatibilityProfile, ModelKey, ModelProfile, Violation

T = TypeVar("T")


class CompatRepo(Protocol):
    def station_profiles(self, station_ids: Sequence[str] | None = None
                         ) -> dict[str, CompatibilityProfile]:
        """Every station's own profile (or those of `station_ids`)."""
        ...
    def put_station(self, station_id: str, profile: CompatibilityProfile, at: datetime
                    ) -> None: ...
    def delete_station(self, station_id: str) -> bool: ...
    def model_profiles(self) -> list[ModelProfile]: ...
    def put_model(self, profile: ModelProfile, at: datetime) -> None: ...
    def delete_model(self, key: ModelKey) -> bool: ...
    def station_models(self, station_ids: Sequence[str] | None = None
                       ) -> dict[str, tuple[str, str]]:
        """(vendor, model) from the last BootNotification of every station that sent one."""
        ...
    def add_violations(self, violations: Sequence[Violation], keep: int) -> None:
        """Store them, keeping only the newest `keep` of each station."""
        ...
    def violations(self, station_id: str, limit: int) -> list[Violation]:
        """Newest first."""
        ...


class CompatDatabase(Protocol):
    async def write(self, work: Callable[[CompatRepo], T]) -> T: ...
    async def read(self, work: Callable[[CompatRepo], T]) -> T: ...
