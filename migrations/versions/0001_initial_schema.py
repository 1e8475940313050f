"""Initial schema: stations, connectors, tokens, transactions, meter values, logs.

Revision ID: 0001
Revises: 
Create Date: 2026-11-27 11:15:10.385080
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op



revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('id_tokens',
    sa.Column('id_token', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('group_id', sa.String(length=64), nullable=True),
    sa.Column('member', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id_token', name=op.f('pk_id_tokens'))
    )
    op.create_table('kv',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_kv'))
    )
    op.create_table('ocpp_messages',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('station_id', sa.String(length=48), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('frame', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ocpp_messages'))
    )
    with op.batch_alter_table('ocpp_messages', schema=None) as batch_op:
        batch_op.create_index('ix_ocpp_messages_station', ['station_id', 'id'], unique=False)

    op.create_table('station_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('station_id', sa.String(length=48), nullable=False),
    sa.Column('kind', sa.String(length=48), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_station_events'))
    )
    with op.batch_alter_table('station_events', schema=None) as batch_op:
        batch_op.create_index('ix_station_events_station_kind', ['station_id', 'kind', 'at'], unique=False)

    op.create_table('stations',
    sa.Column('id', sa.String(length=48), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('site_id', sa.String(length=64), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('registration_status', sa.String(length=16), server_default='Accepted', nullable=False),
    sa.Column('protocol', sa.String(length=16), nullable=True),
    sa.Column('vendor', sa.String(length=64), nullable=True),
    sa.Column('model', sa.String(length=64), nullable=True),
    sa.Column('serial_number', sa.String(length=64), nullable=True),
    sa.Column('firmware_version', sa.String(length=64), nullable=True),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_boot_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stations'))
    )
    op.create_table('transactions',
    sa.Column('pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('station_id', sa.String(length=48), nullable=False),
    sa.Column('transaction_id', sa.String(length=64), nullable=False),
    sa.Column('evse_id', sa.Integer(), nullable=False),
    sa.Column('connector_id', sa.Integer(), nullable=False),
    sa.Column('id_token', sa.String(length=64), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('meter_start_wh', sa.Float(), nullable=True),
    sa.Column('meter_stop_wh', sa.Float(), nullable=True),
    sa.Column('energy_wh', sa.Float(), server_default='0', nullable=False),
    sa.Column('green_energy_wh', sa.Float(), server_default='0', nullable=False),
    sa.Column('stop_reason', sa.String(length=32), nullable=True),
    sa.Column('first_register_wh', sa.Float(), nullable=True),
    sa.Column('first_register_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_register_wh', sa.Float(), nullable=True),
    sa.Column('last_register_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('interval_energy_wh', sa.Float(), server_default='0', nullable=False),
    sa.Column('seq_no', sa.Integer(), nullable=True),
    sa.Column('remote_start_id', sa.Integer(), nullable=True),
    sa.Column('offline', sa.Boolean(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_transactions')),
    sa.UniqueConstraint('station_id', 'transaction_id', name='uq_transactions_station_tx')
    )
    with op.batch_alter_table('transactions', schema=None) as batch_op:
        batch_op.create_index('ix_transactions_station_active', ['station_id', 'stopped_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_transactions_transaction_id'), ['transaction_id'], unique=False)

    op.create_table('boot_history',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('station_id', sa.String(length=48), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=True),
    sa.Column('vendor', sa.String(length=64), nullable=True),
    sa.Column('model', sa.String(length=64), nullable=True),
    sa.Column('serial_number', sa.String(length=64), nullable=True),
    sa.Column('firmware_version', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_boot_history_station_id_stations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_boot_history'))
    )
    with op.batch_alter_table('boot_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_boot_history_station_id'), ['station_id'], unique=False)

    op.create_table('connectors',
    sa.Column('station_id', sa.String(length=48), nullable=False),
    sa.Column('evse_id', sa.Integer(), nullable=False),
    sa.Column('connector_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('error_code', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_connectors_station_id_stations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('station_id', 'evse_id', 'connector_id', name=op.f('pk_connectors'))
    )
    op.create_table('meter_values',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('station_id', sa.String(length=48), nullable=False),
    sa.Column('transaction_pk', sa.BigInteger(), nullable=True),
    sa.Column('evse_id', sa.Integer(), nullable=False),
    sa.Column('connector_id', sa.Integer(), nullable=True),
    sa.Column('timestamp', sa.DateTime(timezone=True), nullable=False),
    sa.Column('measurand', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=True),
    sa.Column('si_value', sa.Float(), nullable=True),
    sa.Column('phase', sa.String(length=8), nullable=True),
    sa.Column('location', sa.String(length=16), nullable=True),
    sa.Column('context', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['transaction_pk'], ['transactions.pk'], name=op.f('fk_meter_values_transaction_pk_transactions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meter_values'))
    )
    with op.batch_alter_table('meter_values', schema=None) as batch_op:
        batch_op.create_index('ix_meter_values_station_ts', ['station_id', 'timestamp'], unique=False)
        batch_op.create_index('ix_meter_values_tx', ['transaction_pk', 'timestamp'], unique=False)

    op.create_table('status_history',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('station_id', sa.String(length=48), nullable=False),
    sa.Column('evse_id', sa.Integer(), nullable=False),
    sa.Column('connector_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('error_code', sa.String(length=64), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_status_history_station_id_stations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_history'))
    )
    with op.batch_alter_table('status_history', schema=None) as batch_op:
        batch_op.create_index('ix_status_history_station_at', ['station_id', 'at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('status_history', schema=None) as batch_op:
        batch_op.drop_index('ix_status_history_station_at')

    op.drop_table('status_history')
    with op.batch_alter_table('meter_values', schema=None) as batch_op:
        batch_op.drop_index('ix_meter_values_tx')
        batch_op.drop_index('ix_meter_values_station_ts')

    op.drop_table('meter_values')
    op.drop_table('connectors')
    with op.batch_alter_table('boot_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_boot_history_station_id'))

    op.drop_table('boot_history')
    with op.batch_alter_table('transactions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transactions_transaction_id'))
        batch_op.drop_index('ix_transactions_station_active')

    op.drop_table('transactions')
    op.drop_table('stations')
    with op.batch_alter_table('station_events', schema=None) as batch_op:
        batch_op.drop_index('ix_station_events_station_kind')

    op.drop_table('station_events')
    with op.batch_alter_table('ocpp_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_ocpp_messages_station')

    op.drop_table('ocpp_messages')
    op.drop_table('kv')
    op.drop_table('id_tokens')
