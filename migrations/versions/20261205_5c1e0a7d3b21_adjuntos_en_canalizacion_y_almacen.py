"""adjuntos: a file may go with a referral; its chunks in the database or a directory

- adjunto.canalizacion_id: the referral it goes with (an oficio, the receiver's answer), if any.
- adjunto.almacen: where its encrypted chunks are kept ('bd' or 'directorio'); the files
  stored so far are in the database.

Revision ID: 5c1e0a7d3b21
Revises: b2a7376d90e9
Create Date: 2026-12-05 12:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5c1e0a7d3b21'
down_revision = 'b2a7376d90e9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('adjunto', schema=None) as batch_op:
        batch_op.add_column(sa.Column('canalizacion_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('almacen', sa.String(length=12), server_default='bd', nullable=False))
        batch_op.create_index(batch_op.f('ix_adjunto_canalizacion_id'), ['canalizacion_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_adjunto_canalizacion_id_canalizacion'), 'canalizacion',
                                    ['canalizacion_id'], ['id'])
        batch_op.create_check_constraint(batch_op.f('ck_adjunto_almacen'), "almacen IN ('bd', 'directorio')")


def downgrade():
    with op.batch_alter_table('adjunto', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_adjunto_almacen'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_adjunto_canalizacion_id_canalizacion'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_adjunto_canalizacion_id'))
        batch_op.drop_column('almacen')
        batch_op.drop_column('canalizacion_id')
