"""conservacion: blocked cases and the reads the admin authorizes

- caso.bloqueado_en: when the retention schedule blocked the case (casos/conservacion/).
- lectura_bloqueada: a read of a blocked case asked for with its legal ground, authorized or
  rejected by the admin; an authorized one expires.

Revision ID: 8e3f4a2b9c10
Revises: 5c1e0a7d3b21
Create Date: 2026-12-05 12:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '8e3f4a2b9c10'
down_revision = '5c1e0a7d3b21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('caso', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bloqueado_en', sa.DateTime(timezone=True), nullable=True))

    op.create_table('lectura_bloqueada',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('caso_id', sa.Uuid(), nullable=False),
    sa.Column('institucion_id', sa.Uuid(), nullable=False),
    sa.Column('solicitada_por_id', sa.Uuid(), nullable=False),
    sa.Column('solicitada_en', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fundamento', sa.Text(), nullable=False),
    sa.Column('estado', sa.String(length=12), nullable=False),
    sa.Column('resuelta_por_id', sa.Uuid(), nullable=True),
    sa.Column('resuelta_en', sa.DateTime(timezone=True), nullable=True),
    sa.Column('vence_en', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("estado IN ('pendiente', 'autorizada', 'rechazada')", name=op.f('ck_lectura_bloqueada_estado')),
    sa.ForeignKeyConstraint(['caso_id'], ['caso.id'], name=op.f('fk_lectura_bloqueada_caso_id_caso'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['institucion_id'], ['institucion.id'], name=op.f('fk_lectura_bloqueada_institucion_id_institucion')),
    sa.ForeignKeyConstraint(['resuelta_por_id'], ['usuaria.id'], name=op.f('fk_lectura_bloqueada_resuelta_por_id_usuaria')),
    sa.ForeignKeyConstraint(['solicitada_por_id'], ['usuaria.id'], name=op.f('fk_lectura_bloqueada_solicitada_por_id_usuaria')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lectura_bloqueada'))
    )
    with op.batch_alter_table('lectura_bloqueada', schema=None) as batch_op:
        batch_op.create_index('ix_lectura_bloqueada_estado', ['estado'], unique=False)
        batch_op.create_index('ix_lectura_bloqueada_solicitante_caso', ['solicitada_por_id', 'caso_id'], unique=False)


def downgrade():
    with op.batch_alter_table('lectura_bloqueada', schema=None) as batch_op:
        batch_op.drop_index('ix_lectura_bloqueada_solicitante_caso')
        batch_op.drop_index('ix_lectura_bloqueada_estado')
    op.drop_table('lectura_bloqueada')
    with op.batch_alter_table('caso', schema=None) as batch_op:
        batch_op.drop_column('bloqueado_en')
