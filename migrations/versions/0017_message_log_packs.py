"""The message log keeps a station's frames of one flush in one compressed row

A row per frame cost an index entry at a random place for every frame, two per OCPP message,
in the commits the stations' replies wait for. Existing frames are carried over, a station's
frames packed a hundred to a row, in the format of csms.persistence.message_packs (restated
here: a migration must not change when the application does).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 03:00:00
"""
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

import orjson
import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PER_PACK = 100

_frames = sa.table(
    'ocpp_messages',
    sa.column('id', sa.BigInteger), sa.column('station_id', sa.String),
    sa.column('at', sa.DateTime(timezone=True)), sa.column('direction', sa.String),
    sa.column('frame', sa.Text),
)
_packs = sa.table(
    'ocpp_message_packs',
    sa.column('id', sa.BigInteger), sa.column('station_id', sa.String),
    sa.column('first_at', sa.DateTime(timezone=True)),
    sa.column('last_at', sa.DateTime(timezone=True)), sa.column('frames', sa.Integer),
    sa.column('data', sa.LargeBinary),
)


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _stored(at: datetime) -> datetime:
    """As the application's UTCDateTime binds it: naive UTC on SQLite, aware elsewhere."""
    at = _utc(at)
    return at.replace(tzinfo=None) if op.get_bind().dialect.name == 'sqlite' else at


def _pack(rows: list[Any]) -> dict[str, Any]:
    data = zlib.compress(orjson.dumps(
        [[_utc(r.at).isoformat(), r.direction, r.frame] for r in rows]), 1)
    return {'station_id': rows[0].station_id, 'first_at': _stored(rows[0].at),
            'last_at': _stored(rows[-1].at), 'frames': len(rows), 'data': data}


def upgrade() -> None:
    op.create_table(
        'ocpp_message_packs',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                  autoincrement=True, nullable=False),
        sa.Column('station_id', sa.String(length=48), nullable=False),
        sa.Column('first_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('frames', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ocpp_message_packs')),
    )
    with op.batch_alter_table('ocpp_message_packs', schema=None) as batch_op:
        batch_op.create_index('ix_ocpp_message_packs_station', ['station_id', 'id'],
                              unique=False)
    conn = op.get_bind()
    rows = conn.execute(sa.select(_frames).order_by(_frames.c.station_id, _frames.c.id)).all()
    packs = []
    for _, frames in groupby(rows, key=lambda r: r.station_id):
        station = list(frames)
        packs += [_pack(station[i:i + _PER_PACK]) for i in range(0, len(station), _PER_PACK)]
    if packs:
        conn.execute(sa.insert(_packs), packs)
    with op.batch_alter_table('ocpp_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_ocpp_messages_station')
    op.drop_table('ocpp_messages')


def downgrade() -> None:
    op.create_table(
        'ocpp_messages',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                  autoincrement=True, nullable=False),
        sa.Column('station_id', sa.String(length=48), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('direction', sa.String(length=3), nullable=False),
        sa.Column('frame', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ocpp_messages')),
    )
    with op.batch_alter_table('ocpp_messages', schema=None) as batch_op:
        batch_op.create_index('ix_ocpp_messages_station', ['station_id', 'id'], unique=False)
    conn = op.get_bind()
    frames = []
    for row in conn.execute(sa.select(_packs).order_by(_packs.c.id)).all():
        frames += [{'station_id': row.station_id, 'at': _stored(datetime.fromisoformat(at)),
                    'direction': d, 'frame': f}
                   for at, d, f in orjson.loads(zlib.decompress(row.data))]
    if frames:
        conn.execute(sa.insert(_frames), frames)
    with op.batch_alter_table('ocpp_message_packs', schema=None) as batch_op:
        batch_op.drop_index('ix_ocpp_message_packs_station')
    op.drop_table('ocpp_message_packs')
