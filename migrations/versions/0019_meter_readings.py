"""Meter values are stored a row per reading, the samples of one time packed as JSON

A row per sample cost an entry in the (transaction, time) index for every sample, three to
twenty per message, in the commits the stations' replies wait for. Existing samples are
carried over: consecutive rows of one station, transaction, connector and time (a message's
samples were inserted together) become one reading, in the format of
csms.persistence.meter_readings (restated here: a migration must not change when the
application does).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 10:40:00
"""
from collections.abc import Iterator, Sequence
from itertools import groupby
from typing import Any

import orjson
import sqlalchemy as sa
from alembic import op

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK = 5000  # rows read or written per statement
_SAMPLE = ('measurand', 'value', 'unit', 'si_value', 'phase', 'location', 'context')
_READING = ('station_id', 'transaction_pk', 'evse_id', 'connector_id', 'timestamp')

_values = sa.table(
    'meter_values',
    sa.column('id', sa.BigInteger), sa.column('station_id', sa.String),
    sa.column('transaction_pk', sa.BigInteger), sa.column('evse_id', sa.Integer),
    sa.column('connector_id', sa.Integer), sa.column('timestamp', sa.DateTime(timezone=True)),
    sa.column('measurand', sa.String), sa.column('value', sa.Float),
    sa.column('unit', sa.String), sa.column('si_value', sa.Float),
    sa.column('phase', sa.String), sa.column('location', sa.String),
    sa.column('context', sa.String),
)
_readings = sa.table(
    'meter_readings',
    sa.column('id', sa.BigInteger), sa.column('station_id', sa.String),
    sa.column('transaction_pk', sa.BigInteger), sa.column('evse_id', sa.Integer),
    sa.column('connector_id', sa.Integer), sa.column('timestamp', sa.DateTime(timezone=True)),
    sa.column('samples', sa.Text),
)


def _create(name: str, *own: sa.Column[Any]) -> None:
    """A table of samples by transaction and time, as both shapes have it."""
    op.create_table(
        name,
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                  autoincrement=True, nullable=False),
        sa.Column('station_id', sa.String(length=48), nullable=False),
        sa.Column('transaction_pk', sa.BigInteger(), nullable=True),
        sa.Column('evse_id', sa.Integer(), nullable=False),
        sa.Column('connector_id', sa.Integer(), nullable=True),
        sa.Column('timestamp', sa.DateTime(timezone=True), nullable=False),
        *own,
        sa.ForeignKeyConstraint(['transaction_pk'], ['transactions.pk'],
                                name=op.f(f'fk_{name}_transaction_pk_transactions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{name}')),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(f'ix_{name}_tx', ['transaction_pk', 'timestamp'], unique=False)


def _replace(old: str, new: sa.TableClause, rows: Iterator[dict[str, Any]]) -> None:
    """Fill `new` with `rows` (read from `old` a page at a time), then drop `old`."""
    conn = op.get_bind()
    for chunk in _chunks(rows):
        conn.execute(sa.insert(new), chunk)
    with op.batch_alter_table(old, schema=None) as batch_op:
        batch_op.drop_index(f'ix_{old}_tx')
    op.drop_table(old)


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == _CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _pages(conn: sa.Connection, table: sa.TableClause) -> Iterator[Any]:
    """Every row in id order, a page at a time: a year of samples does not fit in memory."""
    last = None
    while True:
        q = sa.select(table).order_by(table.c.id).limit(_CHUNK)
        if last is not None:
            q = q.where(table.c.id > last)
        page = conn.execute(q).all()
        if not page:
            return
        yield from page
        last = page[-1].id


def _packed(conn: sa.Connection) -> Iterator[dict[str, Any]]:
    rows = _pages(conn, _values)
    for key, group in groupby(rows, key=lambda r: tuple(getattr(r, k) for k in _READING)):
        samples = [[getattr(r, k) for k in _SAMPLE] for r in group]
        yield {**dict(zip(_READING, key, strict=True)), 'samples': orjson.dumps(samples).decode()}


def _unpacked(conn: sa.Connection) -> Iterator[dict[str, Any]]:
    for r in _pages(conn, _readings):
        for sample in orjson.loads(r.samples):
            yield {**{k: getattr(r, k) for k in _READING},
                   **dict(zip(_SAMPLE, sample, strict=True))}


def upgrade() -> None:
    _create('meter_readings', sa.Column('samples', sa.Text(), nullable=False))
    _replace('meter_values', _readings, _packed(op.get_bind()))


def downgrade() -> None:
    _create(
        'meter_values',
        sa.Column('measurand', sa.String(length=64), nullable=False),
        sa.Column('value', sa.Float(), nullable=False),
        sa.Column('unit', sa.String(length=16), nullable=True),
        sa.Column('si_value', sa.Float(), nullable=True),
        sa.Column('phase', sa.String(length=8), nullable=True),
        sa.Column('location', sa.String(length=16), nullable=True),
        sa.Column('context', sa.String(length=32), nullable=True),
    )
    _replace('meter_readings', _values, _unpacked(op.get_bind()))
