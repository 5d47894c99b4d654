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


TABLAS = ("edicion_estadistica", "conteo_de_mes")
TRIGGERS_SQLITE = tuple(
    f"""CREATE TRIGGER {tabla}_sin_{orden.lower()} BEFORE {orden} ON {tabla}
    BEGIN SELECT RAISE(ABORT, '{tabla} es inmutable: lo publicado no se modifica ni se borra'); END"""
    for tabla in TABLAS for orden in ("UPDATE", "DELETE"))

FUNCION_POSTGRESQL = """
CREATE FUNCTION estadistica_inmutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% es inmutable: lo publicado no se modifica ni se borra', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$"""
TRIGGERS_POSTGRESQL = tuple(
    f"""CREATE TRIGGER {tabla}_inmutable BEFORE UPDATE OR DELETE ON {tabla}
    FOR EACH ROW EXECUTE FUNCTION estadistica_inmutable()""" for tabla in TABLAS)


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
    # Private: each month's counts as an edition published it, for the next revision to
    # compare against (never served).
    op.create_table('conteo_de_mes',
    sa.Column('mes', sa.String(length=7), nullable=False),
    sa.Column('edicion', sa.Integer(), nullable=False),
    sa.Column('conteos', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('mes', 'edicion', name=op.f('pk_conteo_de_mes'))
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(FUNCION_POSTGRESQL)
        for trigger in TRIGGERS_POSTGRESQL:
            op.execute(trigger)
    else:
        for trigger in TRIGGERS_SQLITE:
            op.execute(trigger)


def downgrade():
    for tabla in TABLAS:
        if op.get_bind().dialect.name == 'postgresql':
            op.execute(f'DROP TRIGGER IF EXISTS {tabla}_inmutable ON {tabla}')
        else:
            op.execute(f'DROP TRIGGER IF EXISTS {tabla}_sin_update')
            op.execute(f'DROP TRIGGER IF EXISTS {tabla}_sin_delete')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS estadistica_inmutable()')
    op.drop_table('conteo_de_mes')
    op.drop_table('edicion_estadistica')
    op.create_table('instantanea_estadistica',
    sa.Column('clave', sa.String(length=160), nullable=False),
    sa.Column('anio', sa.Integer(), nullable=False),
    sa.Column('contenido', sa.Text(), nullable=False),
    sa.Column('calculada_en', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duracion_ms', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('clave', name=op.f('pk_instantanea_estadistica'))
    )
