"""auditoria_cadenas: several audit chains with their own heads, and chained roots over them

The single chain becomes chain 0, as it is: its events keep their HMAC (format 1, which
covers `secuencia`), get cadena 0 and eslabon = secuencia, and its head row becomes chain 0's.
New events go to chains 1…AUDITORIA_CADENAS (format 2, which also covers cadena and
eslabon); their head rows are created here for the default 8 and on demand beyond. On
PostgreSQL `secuencia` now comes from a sequence, taken without any chain's lock.

Triggers: events stay insert-only (recreated on SQLite, whose table this rebuilds); a head
row only moves forward in its own chain and is never deleted; roots are insert-only.

Revision ID: c9a6cbdc2ca8
Revises: 169f0a864cc7
Create Date: 2026-12-07 10:00:00.000000
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c9a6cbdc2ca8'
down_revision = '169f0a864cc7'
branch_labels = None
depends_on = None

GENESIS = '0' * 64
CADENAS_INICIALES = 8  # config.AUDITORIA_CADENAS's default; more are created on demand
SECUENCIA = 'evento_auditoria_secuencia_seq'

MENSAJE_EVENTO = 'evento_auditoria es de solo inserción: no se modifica ni se borra'
MENSAJE_CABEZA = 'cabeza_auditoria solo avanza: no se retrocede, no cambia de cadena ni se borra'
MENSAJE_RAIZ = 'raiz_auditoria es de solo inserción: no se modifica ni se borra'

TRIGGERS_EVENTO_SQLITE = (
    f"""CREATE TRIGGER evento_auditoria_sin_update BEFORE UPDATE ON evento_auditoria
    BEGIN SELECT RAISE(ABORT, '{MENSAJE_EVENTO}'); END""",
    f"""CREATE TRIGGER evento_auditoria_sin_delete BEFORE DELETE ON evento_auditoria
    BEGIN SELECT RAISE(ABORT, '{MENSAJE_EVENTO}'); END""",
)
TRIGGERS_SQLITE = (
    f"""CREATE TRIGGER cabeza_auditoria_solo_avanza BEFORE UPDATE ON cabeza_auditoria
    WHEN NEW.cadena <> OLD.cadena OR NEW.eslabon <= OLD.eslabon
    BEGIN SELECT RAISE(ABORT, '{MENSAJE_CABEZA}'); END""",
    f"""CREATE TRIGGER cabeza_auditoria_sin_delete BEFORE DELETE ON cabeza_auditoria
    BEGIN SELECT RAISE(ABORT, '{MENSAJE_CABEZA}'); END""",
    f"""CREATE TRIGGER raiz_auditoria_sin_update BEFORE UPDATE ON raiz_auditoria
    BEGIN SELECT RAISE(ABORT, '{MENSAJE_RAIZ}'); END""",
    f"""CREATE TRIGGER raiz_auditoria_sin_delete BEFORE DELETE ON raiz_auditoria
    BEGIN SELECT RAISE(ABORT, '{MENSAJE_RAIZ}'); END""",
)
POSTGRESQL = (
    f"""CREATE FUNCTION cabeza_auditoria_solo_avanza() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' OR NEW.cadena <> OLD.cadena OR NEW.eslabon <= OLD.eslabon THEN
            RAISE EXCEPTION '{MENSAJE_CABEZA}' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END
    $$""",
    """CREATE TRIGGER cabeza_auditoria_solo_avanza BEFORE UPDATE OR DELETE ON cabeza_auditoria
    FOR EACH ROW EXECUTE FUNCTION cabeza_auditoria_solo_avanza()""",
    f"""CREATE FUNCTION raiz_auditoria_solo_insercion() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MENSAJE_RAIZ}' USING ERRCODE = 'insufficient_privilege';
    END
    $$""",
    """CREATE TRIGGER raiz_auditoria_solo_insercion BEFORE UPDATE OR DELETE ON raiz_auditoria
    FOR EACH ROW EXECUTE FUNCTION raiz_auditoria_solo_insercion()""",
)


def upgrade():
    bind = op.get_bind()
    postgresql = bind.dialect.name == 'postgresql'
    anterior = bind.execute(sa.text('SELECT secuencia, hmac FROM cabeza_auditoria')).first()

    # Chain 0 is the old chain as it is: filling its new columns is the one UPDATE the
    # events ever get, with their trigger off for it (format 1's HMAC doesn't cover them).
    if postgresql:
        op.execute('ALTER TABLE evento_auditoria DISABLE TRIGGER evento_auditoria_solo_insercion')
    else:
        op.execute('DROP TRIGGER IF EXISTS evento_auditoria_sin_update')
        op.execute('DROP TRIGGER IF EXISTS evento_auditoria_sin_delete')
    with op.batch_alter_table('evento_auditoria', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cadena', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('eslabon', sa.BigInteger(), nullable=True))
    op.execute('UPDATE evento_auditoria SET cadena = 0, eslabon = secuencia')
    with op.batch_alter_table('evento_auditoria', schema=None) as batch_op:
        batch_op.alter_column('cadena', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('eslabon', existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_unique_constraint('uq_evento_auditoria_cadena_eslabon', ['cadena', 'eslabon'])
    if postgresql:
        op.execute('ALTER TABLE evento_auditoria ENABLE TRIGGER evento_auditoria_solo_insercion')
        ultima = bind.execute(sa.text('SELECT max(secuencia) FROM evento_auditoria')).scalar()
        op.execute(f'CREATE SEQUENCE {SECUENCIA} AS bigint OWNED BY evento_auditoria.secuencia')
        if ultima:
            op.execute(f"SELECT setval('{SECUENCIA}', {int(ultima)})")
    else:
        for trigger in TRIGGERS_EVENTO_SQLITE:  # the rebuild dropped them
            op.execute(trigger)

    op.drop_table('cabeza_auditoria')
    cabeza = op.create_table('cabeza_auditoria',
    sa.Column('cadena', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('eslabon', sa.BigInteger(), nullable=False),
    sa.Column('hmac', sa.String(length=64), nullable=False),
    sa.CheckConstraint('cadena >= 0', name=op.f('ck_cabeza_auditoria_cadena')),
    sa.PrimaryKeyConstraint('cadena', name=op.f('pk_cabeza_auditoria'))
    )
    op.bulk_insert(cabeza, [
        {'cadena': 0, 'eslabon': anterior.secuencia if anterior else 0,
         'hmac': anterior.hmac if anterior else GENESIS},
        *({'cadena': c, 'eslabon': 0, 'hmac': GENESIS} for c in range(1, CADENAS_INICIALES + 1))])
    op.create_table('raiz_auditoria',
    sa.Column('numero', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('momento', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cabezas', sa.Text(), nullable=False),
    sa.Column('hmac', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('numero', name=op.f('pk_raiz_auditoria'))
    )
    for sentencia in POSTGRESQL if postgresql else TRIGGERS_SQLITE:
        op.execute(sentencia)


def downgrade():
    # Only an empty sharded trail goes back: events of chains 1… have no place in one chain.
    bind = op.get_bind()
    postgresql = bind.dialect.name == 'postgresql'
    if bind.execute(sa.text('SELECT count(*) FROM evento_auditoria WHERE cadena <> 0')).scalar():
        raise RuntimeError('hay eventos en las cadenas nuevas: no caben en la cadena única')
    cero = bind.execute(sa.text('SELECT eslabon, hmac FROM cabeza_auditoria WHERE cadena = 0')).first()
    if postgresql:
        op.execute('DROP TRIGGER cabeza_auditoria_solo_avanza ON cabeza_auditoria')
        op.execute('DROP FUNCTION cabeza_auditoria_solo_avanza()')
        op.execute('DROP TRIGGER raiz_auditoria_solo_insercion ON raiz_auditoria')
        op.execute('DROP FUNCTION raiz_auditoria_solo_insercion()')
        op.execute(f'DROP SEQUENCE {SECUENCIA}')
    op.drop_table('raiz_auditoria')
    op.drop_table('cabeza_auditoria')
    cabeza = op.create_table('cabeza_auditoria',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('secuencia', sa.BigInteger(), nullable=False),
    sa.Column('hmac', sa.String(length=64), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_cabeza_auditoria_una_fila')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cabeza_auditoria'))
    )
    op.bulk_insert(cabeza, [{'id': 1, 'secuencia': cero.eslabon if cero else 0,
                             'hmac': cero.hmac if cero else GENESIS}])
    if not postgresql:
        op.execute('DROP TRIGGER IF EXISTS evento_auditoria_sin_update')
        op.execute('DROP TRIGGER IF EXISTS evento_auditoria_sin_delete')
    with op.batch_alter_table('evento_auditoria', schema=None) as batch_op:
        batch_op.drop_constraint('uq_evento_auditoria_cadena_eslabon', type_='unique')
        batch_op.drop_column('eslabon')
        batch_op.drop_column('cadena')
    if not postgresql:
        for trigger in TRIGGERS_EVENTO_SQLITE:
            op.execute(trigger)
