"""ediciones de estadistica: releases numeradas e inmutables en lugar de instantaneas

Revision ID: e082b37b2bc9
Revises: 169f0a864cc7
Create Date: 2026-12-06 12:00:00.000000

Statistics are no longer recomputed on a timer and served while recent (the snapshots of
instantanea_estadistica): looking twice told a reader about one woman (issue 15). They are
published as numbered editions of closed months (casos/estadisticas/ediciones.py), and the
database refuses UPDATE and DELETE of a published edition on both engines, like the audit
trail's (a later migration that rebuilds this table on SQLite must create TRIGGERS_SQLITE
again). TRUNCATE fires no row trigger.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e082b37b2bc9'
down_revision = '169f0a864cc7'
branch_labels = None
depends_on = None

MENSAJE = 'edicion_estadistica es inmutable: una edición publicada no se modifica ni se borra'

TRIGGERS_SQLITE = (
    f"""CREATE TRIGGER edicion_estadistica_sin_update BEFORE UPDATE ON edicion_estadistica
    BEGIN SELECT RAISE(ABORT, '{MENSAJE}'); END""",
    f"""CREATE TRIGGER edicion_estadistica_sin_delete BEFORE DELETE ON edicion_estadistica
    BEGIN SELECT RAISE(ABORT, '{MENSAJE}'); END""",
)

FUNCION_POSTGRESQL = f"""
CREATE FUNCTION edicion_estadistica_inmutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MENSAJE}' USING ERRCODE = 'insufficient_privilege';
END
$$"""
TRIGGER_POSTGRESQL = """
CREATE TRIGGER edicion_estadistica_inmutable BEFORE UPDATE OR DELETE ON edicion_estadistica
FOR EACH ROW EXECUTE FUNCTION edicion_estadistica_inmutable()"""


def upgrade():
    op.drop_table('instantanea_estadistica')
    op.create_table('edicion_estadistica',
    sa.Column('numero', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('publicada_en', sa.DateTime(timezone=True), nullable=False),
    sa.Column('desde', sa.String(length=7), nullable=False),
    sa.Column('hasta', sa.String(length=7), nullable=False),
    sa.Column('umbral', sa.Integer(), nullable=False),
    sa.Column('contenido', sa.Text(), nullable=False),
    sa.Column('huella', sa.String(length=64), nullable=False),
    sa.Column('duracion_ms', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('numero', name=op.f('pk_edicion_estadistica'))
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(FUNCION_POSTGRESQL)
        op.execute(TRIGGER_POSTGRESQL)
    else:
        for trigger in TRIGGERS_SQLITE:
            op.execute(trigger)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS edicion_estadistica_inmutable ON edicion_estadistica')
        op.execute('DROP FUNCTION IF EXISTS edicion_estadistica_inmutable()')
    else:
        op.execute('DROP TRIGGER IF EXISTS edicion_estadistica_sin_update')
        op.execute('DROP TRIGGER IF EXISTS edicion_estadistica_sin_delete')
    op.drop_table('edicion_estadistica')
    op.create_table('instantanea_estadistica',
    sa.Column('clave', sa.String(length=160), nullable=False),
    sa.Column('anio', sa.Integer(), nullable=False),
    sa.Column('contenido', sa.Text(), nullable=False),
    sa.Column('calculada_en', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duracion_ms', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('clave', name=op.f('pk_instantanea_estadistica'))
    )
