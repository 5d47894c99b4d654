"""lista_de_casos_por_estado

The case list filtered by state walks this index newest first (keyset), as the unfiltered list
walks ix_caso_institucion_creado. Without it, a state that few or no cases of the institution
have (a "reabierto" filter) made PostgreSQL scan the whole `caso` table: 92 ms at a million
cases on the reference machine, 0.04 ms with it.

Revision ID: 1175296c9ca4
Revises: e476e2f646df
Create Date: 2026-11-24 11:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '1175296c9ca4'
down_revision = 'e476e2f646df'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_caso_institucion_estado_creado', 'caso',
                    ['institucion_id', 'estado', 'creado_en', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_caso_institucion_estado_creado', table_name='caso')
