"""adjuntos: files attached to a case, encrypted in chunks under the case's data key

- adjunto: category, type (by content), size, who uploaded it and when; its original name
  encrypted. The catalogues in its CHECKs are those of casos/catalogos.py when this was written.
- adjunto_trozo: the AES-GCM chunks (primary key: file, chunk number).

Revision ID: b2a7376d90e9
Revises: 091e601af9f6
Create Date: 2026-12-05 08:16:30.656741

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b2a7376d90e9'
down_revision = '091e601af9f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('adjunto',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('caso_id', sa.Uuid(), nullable=False),
    sa.Column('institucion_id', sa.Uuid(), nullable=False),
    sa.Column('subido_por_id', sa.Uuid(), nullable=False),
    sa.Column('subido_en', sa.DateTime(timezone=True), nullable=False),
    sa.Column('categoria', sa.String(length=30), nullable=False),
    sa.Column('tipo', sa.String(length=40), nullable=False),
    sa.Column('tamano', sa.Integer(), nullable=False),
    sa.Column('trozos_total', sa.Integer(), nullable=False),
    sa.Column('nombre_cifrado', sa.LargeBinary(), nullable=True),
    sa.CheckConstraint("categoria IN ('denuncia', 'dictamen_medico', 'orden_proteccion', 'identificacion', 'otro')", name=op.f('ck_adjunto_categoria')),
    sa.CheckConstraint("tipo IN ('application/pdf', 'image/jpeg', 'image/png')", name=op.f('ck_adjunto_tipo')),
    sa.CheckConstraint('tamano > 0 AND trozos_total > 0', name=op.f('ck_adjunto_no_vacio')),
    sa.ForeignKeyConstraint(['caso_id'], ['caso.id'], name=op.f('fk_adjunto_caso_id_caso'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['institucion_id'], ['institucion.id'], name=op.f('fk_adjunto_institucion_id_institucion')),
    sa.ForeignKeyConstraint(['subido_por_id'], ['usuaria.id'], name=op.f('fk_adjunto_subido_por_id_usuaria')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adjunto'))
    )
    with op.batch_alter_table('adjunto', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adjunto_caso_id'), ['caso_id'], unique=False)

    op.create_table('adjunto_trozo',
    sa.Column('adjunto_id', sa.Uuid(), nullable=False),
    sa.Column('numero', sa.Integer(), nullable=False),
    sa.Column('datos', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['adjunto_id'], ['adjunto.id'], name=op.f('fk_adjunto_trozo_adjunto_id_adjunto'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('adjunto_id', 'numero', name=op.f('pk_adjunto_trozo'))
    )


def downgrade():
    op.drop_table('adjunto_trozo')
    with op.batch_alter_table('adjunto', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adjunto_caso_id'))

    op.drop_table('adjunto')
