"""arco: oposición enforced where consent is; rectificación's before/after, encrypted

- oposicion: a kind of institution her data never go to, from a granted oposición carried
  out (one row per case and kind; ck_oposicion_tipo_institucion from the catalogue).
- solicitud_arco.rectificacion_cifrado: a rectificación's before/after, under the case's key.

Revision ID: 3f6c2d8e1a47
Revises: 169f0a864cc7
Create Date: 2026-12-06 10:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '3f6c2d8e1a47'
down_revision = '169f0a864cc7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('solicitud_arco', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rectificacion_cifrado', sa.LargeBinary(), nullable=True))

    op.create_table('oposicion',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('caso_id', sa.Uuid(), nullable=False),
    sa.Column('tipo_institucion', sa.String(length=20), nullable=False),
    sa.Column('solicitud_arco_id', sa.Uuid(), nullable=False),
    sa.Column('registrada_por_id', sa.Uuid(), nullable=False),
    sa.Column('desde', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("tipo_institucion IN ('fiscalia', 'cjm', 'semujer', 'dif', 'salud', 'refugio', 'imm', 'seguridad', 'otra')", name=op.f('ck_oposicion_tipo_institucion')),
    sa.ForeignKeyConstraint(['caso_id'], ['caso.id'], name=op.f('fk_oposicion_caso_id_caso'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registrada_por_id'], ['usuaria.id'], name=op.f('fk_oposicion_registrada_por_id_usuaria')),
    sa.ForeignKeyConstraint(['solicitud_arco_id'], ['solicitud_arco.id'], name=op.f('fk_oposicion_solicitud_arco_id_solicitud_arco')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oposicion')),
    sa.UniqueConstraint('caso_id', 'tipo_institucion', name=op.f('uq_oposicion_caso_id'))
    )
    with op.batch_alter_table('oposicion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oposicion_caso_id'), ['caso_id'], unique=False)


def downgrade():
    with op.batch_alter_table('oposicion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oposicion_caso_id'))
    op.drop_table('oposicion')
    with op.batch_alter_table('solicitud_arco', schema=None) as batch_op:
        batch_op.drop_column('rectificacion_cifrado')
