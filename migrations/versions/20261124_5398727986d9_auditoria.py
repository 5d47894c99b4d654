"""auditoria: insert-only chained events and the chain head

Revision ID: 5398727986d9
Revises: bbc1bd4af6b0
Create Date: 2026-11-24 12:00:00.000000

The triggers refuse UPDATE and DELETE on evento_auditoria on both engines. A later migration
that rebuilds this table on SQLite (batch_alter_table copies it) drops its triggers: create
them again there (TRIGGERS_SQLITE below).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5398727986d9'
down_revision = 'bbc1bd4af6b0'
branch_labels = None
depends_on = None

MENSAJE = 'evento_auditoria es de solo inserción: no se modifica ni se borra'

TRIGGERS_SQLITE = (
    f"""CREATE TRIGGER evento_auditoria_sin_update BEFORE UPDATE ON evento_auditoria
    BEGIN SELECT RAISE(ABORT, '{MENSAJE}'); END""",
    f"""CREATE TRIGGER evento_auditoria_sin_delete BEFORE DELETE ON evento_auditoria
    BEGIN SELECT RAISE(ABORT, '{MENSAJE}'); END""",
)

FUNCION_POSTGRESQL = f"""
CREATE FUNCTION evento_auditoria_solo_insercion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MENSAJE}' USING ERRCODE = 'insufficient_privilege';
END
$$"""
TRIGGER_POSTGRESQL = """
CREATE TRIGGER evento_auditoria_solo_insercion BEFORE UPDATE OR DELETE ON evento_auditoria
FOR EACH ROW EXECUTE FUNCTION evento_auditoria_solo_insercion()"""


def upgrade():
    op.create_table('evento_auditoria',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('secuencia', sa.BigInteger(), nullable=False),
    sa.Column('momento', sa.DateTime(timezone=True), nullable=False),
    sa.Column('usuaria_id', sa.Uuid(), nullable=True),
    sa.Column('rol', sa.String(length=20), nullable=True),
    sa.Column('institucion_id', sa.Uuid(), nullable=True),
    sa.Column('accion', sa.String(length=40), nullable=False),
    sa.Column('caso_id', sa.Uuid(), nullable=True),
    sa.Column('objeto_id', sa.Uuid(), nullable=True),
    sa.Column('origen', sa.String(length=64), nullable=True),
    sa.Column('motivo', sa.Text(), nullable=True),
    sa.Column('hmac', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evento_auditoria')),
    sa.UniqueConstraint('secuencia', name=op.f('uq_evento_auditoria_secuencia'))
    )
    with op.batch_alter_table('evento_auditoria', schema=None) as batch_op:
        batch_op.create_index('ix_evento_auditoria_caso_secuencia', ['caso_id', 'secuencia'], unique=False)
        batch_op.create_index(batch_op.f('ix_evento_auditoria_momento'), ['momento'], unique=False)
        batch_op.create_index('ix_evento_auditoria_usuaria_secuencia', ['usuaria_id', 'secuencia'], unique=False)

    cabeza = op.create_table('cabeza_auditoria',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('secuencia', sa.BigInteger(), nullable=False),
    sa.Column('hmac', sa.String(length=64), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_cabeza_auditoria_una_fila')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cabeza_auditoria'))
    )
    # The empty chain: secuencia 0 and the genesis value every first event chains to.
    op.bulk_insert(cabeza, [{'id': 1, 'secuencia': 0, 'hmac': '0' * 64}])

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(FUNCION_POSTGRESQL)
        op.execute(TRIGGER_POSTGRESQL)
    else:
        for trigger in TRIGGERS_SQLITE:
            op.execute(trigger)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS evento_auditoria_solo_insercion ON evento_auditoria')
        op.execute('DROP FUNCTION IF EXISTS evento_auditoria_solo_insercion()')
    else:
        op.execute('DROP TRIGGER IF EXISTS evento_auditoria_sin_update')
        op.execute('DROP TRIGGER IF EXISTS evento_auditoria_sin_delete')
    op.drop_table('cabeza_auditoria')
    with op.batch_alter_table('evento_auditoria', schema=None) as batch_op:
        batch_op.drop_index('ix_evento_auditoria_usuaria_secuencia')
        batch_op.drop_index(batch_op.f('ix_evento_auditoria_momento'))
        batch_op.drop_index('ix_evento_auditoria_caso_secuencia')
    op.drop_table('evento_auditoria')
