"""estadisticas: tokens de la API

Revision ID: 2360218806c3
Revises: bbc1bd4af6b0
Create Date: 2026-11-24 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2360218806c3'
down_revision = 'bbc1bd4af6b0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('token_api',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('nombre', sa.String(length=120), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('creado_por_id', sa.Uuid(), nullable=True),
    sa.Column('creado_en', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ultimo_uso', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revocado_en', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['creado_por_id'], ['usuaria.id'], name=op.f('fk_token_api_creado_por_id_usuaria'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_token_api')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_token_api_token_hash'))
    )


def downgrade():
    op.drop_table('token_api')
