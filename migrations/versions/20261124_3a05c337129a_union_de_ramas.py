"""union de ramas

Revision ID: 3a05c337129a
Revises: 17253bd445b4, 2360218806c3, 5398727986d9
Create Date: 2026-11-24 07:54:36.462295

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3a05c337129a'
down_revision = ('17253bd445b4', '2360218806c3', '5398727986d9')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
