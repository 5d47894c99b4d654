"""instantaneas de estadistica: publicaciones ya protegidas, servidas mientras son recientes

Revision ID: dfd1ad3ad9bf
Revises: 1175296c9ca4
Create Date: 2026-11-24 12:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'dfd1ad3ad9bf'
down_revision = '1175296c9ca4'  # lista_de_casos_por_estado: one head
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('instantanea_estadistica',
    sa.Column('clave', sa.String(length=160), nullable=False),
    sa.Column('anio', sa.Integer(), nullable=False),
    sa.Column('contenido', sa.Text(), nullable=False),
    sa.Column('calculada_en', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duracion_ms', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('clave', name=op.f('pk_instantanea_estadistica'))
    )


def downgrade():
    op.drop_table('instantanea_estadistica')
