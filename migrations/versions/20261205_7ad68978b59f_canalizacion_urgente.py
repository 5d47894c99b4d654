"""canalizacion urgente: whether the case was urgent when the referral was sent

The receiving institution is told that, and keeps it; until now it saw the case's live
urgency, which moves with each risk assessment of the owner (that it may not be allowed to
see) and after a revocation. Referrals already sent take the case's urgency of today: what
their receiver was shown until now.

A plain ADD/DROP COLUMN on both engines (SQLite 3.35+): no rebuild of `canalizacion`, whose
services (atencion) reference it.

Revision ID: 7ad68978b59f
Revises: d7ba954ea50e
Create Date: 2026-12-05 07:53:16.378518

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7ad68978b59f'
down_revision = 'd7ba954ea50e'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('canalizacion', sa.Column('urgente', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE canalizacion SET urgente = (SELECT caso.urgente FROM caso WHERE caso.id = canalizacion.caso_id) "
               "WHERE enviada_en IS NOT NULL")


def downgrade():
    op.drop_column('canalizacion', 'urgente')
