"""avisos: each account chooses immediate e-mail or a daily summary; warnings sent once

- usuaria.avisos: "inmediato" (default, what every account had) or "resumen", with its CHECK
  (catalogos.AVISOS_POR_CORREO). On SQLite the column is added with an inline CHECK: no
  rebuild of `usuaria`, which half the schema references.
- correo_saliente.en_resumen: the message waits for the daily summary.
- correo_saliente.clave: what a one-time warning is about (a late referral, an order's
  deadline), unique per account, so a timer that runs again sends nothing twice.

Revision ID: 091e601af9f6
Revises: 7ad68978b59f
Create Date: 2026-12-05 08:18:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '091e601af9f6'
down_revision = '7ad68978b59f'
branch_labels = None
depends_on = None

AVISOS = ("inmediato", "resumen")  # catalogos.AVISOS_POR_CORREO when this was written
CHECK = "avisos IN ({})".format(", ".join(f"'{v}'" for v in AVISOS))


def upgrade():
    op.add_column('correo_saliente', sa.Column('en_resumen', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('correo_saliente', sa.Column('clave', sa.String(length=120), nullable=True))
    op.create_index('uq_correo_saliente_usuaria_clave', 'correo_saliente', ['usuaria_id', 'clave'], unique=True)
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("ALTER TABLE usuaria ADD COLUMN avisos VARCHAR(12) DEFAULT 'inmediato' NOT NULL "
                   f"CONSTRAINT ck_usuaria_avisos CHECK ({CHECK})")
    else:
        op.add_column('usuaria', sa.Column('avisos', sa.String(length=12), server_default='inmediato', nullable=False))
        op.create_check_constraint(op.f('ck_usuaria_avisos'), 'usuaria', CHECK)


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_usuaria_avisos'), 'usuaria', type_='check')
    op.drop_column('usuaria', 'avisos')  # SQLite 3.35+: a column's own CHECK goes with it
    op.drop_index('uq_correo_saliente_usuaria_clave', 'correo_saliente')
    op.drop_column('correo_saliente', 'clave')
    op.drop_column('correo_saliente', 'en_resumen')
