"""External charging limits keep their schedules in csms's own shape, and the station's beside

`schedules` held the schedules as the station sent them (OCPP 2.0.1 JSON), which the domain
then had to read. They now hold csms's own shape ({unit, start, duration_s, periods: [{start_s,
limit, phases}]}, written by csms.persistence.billing_repos); the station's JSON moves to
`as_sent`, still shown by the API as sent. Existing rows are converted here, with the rules the
domain applied when it read the station's JSON (a start without a time zone, or unreadable,
counts from reception; a period without a phase count is three-phase).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 23:50:00
"""
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_limits = sa.table(
    'charging_limits',
    sa.column('station_id', sa.String), sa.column('evse_id', sa.Integer),
    sa.column('source', sa.String), sa.column('schedules', sa.JSON),
    sa.column('as_sent', sa.JSON),
)


def _start(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        at = datetime.fromisoformat(value.replace('Z', '+00:00'))
    except ValueError:
        return None
    return at.isoformat() if at.tzinfo is not None else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def schedule(wire: dict[str, Any]) -> dict[str, Any]:
    """A stored 2.0.1 ChargingScheduleType in csms's own shape (also used by the tests)."""
    periods = []
    for p in wire.get('chargingSchedulePeriod') or []:
        limit = _number(p.get('limit'))
        if limit is None:
            continue  # nothing to enforce; the domain could not have read it either
        phases = p.get('numberPhases')
        periods.append({'start_s': _number(p.get('startPeriod')) or 0.0, 'limit': limit,
                        'phases': int(phases) if phases else None})
    return {'unit': 'A' if wire.get('chargingRateUnit') == 'A' else 'W',
            'start': _start(wire.get('startSchedule')),
            'duration_s': _number(wire.get('duration')), 'periods': periods}


def _key(row: Any) -> Any:
    return ((_limits.c.station_id == row.station_id) & (_limits.c.evse_id == row.evse_id)
            & (_limits.c.source == row.source))


def upgrade() -> None:
    with op.batch_alter_table('charging_limits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('as_sent', sa.JSON(), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.select(_limits.c.station_id, _limits.c.evse_id, _limits.c.source,
                                  _limits.c.schedules)).all()
    for row in rows:
        wire = list(row.schedules or [])
        conn.execute(sa.update(_limits).where(_key(row)).values(
            as_sent=wire, schedules=[schedule(s) for s in wire]))
    with op.batch_alter_table('charging_limits', schema=None) as batch_op:
        batch_op.alter_column('as_sent', existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(_limits.c.station_id, _limits.c.evse_id, _limits.c.source,
                                  _limits.c.as_sent)).all()
    for row in rows:
        conn.execute(sa.update(_limits).where(_key(row)).values(schedules=row.as_sent or []))
    with op.batch_alter_table('charging_limits', schema=None) as batch_op:
        batch_op.drop_column('as_sent')
