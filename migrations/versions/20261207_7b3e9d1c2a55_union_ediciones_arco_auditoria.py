"""union de ramas: ediciones de estadística, derechos ARCO y cadenas de auditoría

Revision ID: 7b3e9d1c2a55
Revises: e082b37b2bc9, 3f6c2d8e1a47, c9a6cbdc2ca8
Create Date: 2026-12-07 10:00:00.000000

Three features branched from 169f0a864cc7 and touch different tables; this joins them so
`flask db upgrade` has one head again.
"""


# revision identifiers, used by Alembic.
revision = '7b3e9d1c2a55'
down_revision = ('e082b37b2bc9', '3f6c2d8e1a47', 'c9a6cbdc2ca8')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
