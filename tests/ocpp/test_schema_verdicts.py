"""Schema verdicts that csms remembers stay the verdicts the schema gives."""

from __future__ import annotations

import pytest

from csms.ocpp import schemas
from csms.ocpp.errors import OcppCallError


def test_an_empty_payload_is_judged_the_same_every_time() -> None:
    for _ in range(3):  # the first verdict, then the remembered ones
        schemas.validate(schemas.V16, schemas.RESULT, "MeterValues", {})
        with pytest.raises(OcppCallError) as e:
            schemas.validate(schemas.V16, schemas.CALL, "MeterValues", {})
        assert e.value.code == "OccurrenceConstraintViolation"
        with pytest.raises(OcppCallError):
            schemas.validate(schemas.V16, schemas.RESULT, "Heartbeat", {})
