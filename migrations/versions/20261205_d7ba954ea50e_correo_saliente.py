"""correo saliente: the outbox of e-mails to staff (casos/avisos/)

One row per message and account, written in the transaction of the move it tells about; no
personal data of the woman in it (a fixed text and a link). A partial index serves the
sender, which reads only what is still to send.

Revision ID: d7ba954ea50e
Revises: bf99627135c0
Create Date: 2026-12-05 07:45:39.953916

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7ba954ea50e'
down_revision = 'bf99627135c0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('correo_saliente',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('usuaria_id', sa.Uuid(), nullable=False),
    sa.Column('tipo', sa.String(length=40), nullable=False),
    sa.Column('asunto', sa.String(length=200), nullable=False),
    sa.Column('cuerpo', sa.Text(), nullable=False),
    sa.Column('creado_en', sa.DateTime(timezone=True), nullable=False),
    sa.Column('proximo_intento', sa.DateTime(timezone=True), nullable=False),
    sa.Column('intentos', sa.Integer(), server_default='0', nullable=False),
    sa.Column('enviado_en', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ultimo_error', sa.String(length=80), nullable=True),
    sa.CheckConstraint('intentos >= 0', name=op.f('ck_correo_saliente_intentos_no_negativos')),
    sa.ForeignKeyConstraint(['usuaria_id'], ['usuaria.id'], name=op.f('fk_correo_saliente_usuaria_id_usuaria')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_correo_saliente'))
    )
    with op.batch_alter_table('correo_saliente', schema=None) as batch_op:
        batch_op.create_index('ix_correo_saliente_pendientes', ['proximo_intento'], unique=False, postgresql_where=sa.text('enviado_en IS NULL'), sqlite_where=sa.text('enviado_en IS NULL'))
        batch_op.create_index(batch_op.f('ix_correo_saliente_usuaria_id'), ['usuaria_id'], unique=False)



def downgrade():
    with op.batch_alter_table('correo_saliente', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_correo_saliente_usuaria_id'))
        batch_op.drop_index('ix_correo_saliente_pendientes', postgresql_where=sa.text('enviado_en IS NULL'), sqlite_where=sa.text('enviado_en IS NULL'))

    op.drop_table('correo_saliente')
