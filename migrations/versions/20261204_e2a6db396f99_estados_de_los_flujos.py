"""estados de los flujos: a CHECK keeps every workflow state column within its machine

Each `estado` of an entity driven by a machine of flujos/ (the table is named after it) gets
ck_<tabla>_estado = `estado IN (…)`, the machine's states as they are today. The lists are a
copy on purpose: a migration is a snapshot, it never imports the code. Adding a state to a
machine needs a new migration that replaces the constraint (tests/test_estados_en_la_bd.py
fails until it exists).

SQLite cannot add a CHECK to a table: batch mode rebuilds it (new table, copy, drop, rename).
With foreign keys on, dropping `caso` first deletes its rows, and ON DELETE CASCADE would take
every victim, fact and risk assessment with it. PRAGMA foreign_keys is ignored inside a
transaction, so on SQLite the rebuild runs in its own transaction with foreign keys off,
checked with PRAGMA foreign_key_check before committing. A rebuild also drops the table's
triggers: none of these tables has any today, and any found is created again.

Revision ID: e2a6db396f99
Revises: dfd1ad3ad9bf
Create Date: 2026-12-04 17:30:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e2a6db396f99'
down_revision = 'dfd1ad3ad9bf'  # instantaneas_de_estadistica: the only head
branch_labels = None
depends_on = None

ESTADOS = {
    'caso': ('registrado', 'en_atencion', 'en_seguimiento', 'cerrado', 'reabierto'),
    'canalizacion': ('borrador', 'por_aprobar', 'enviada', 'aceptada', 'rechazada', 'atendida',
                     'concluida', 'cancelada'),
    'orden_proteccion': ('solicitada', 'vigente', 'prorrogada', 'vencida', 'levantada', 'negada'),
    'solicitud_aprobacion': ('pendiente', 'aprobada', 'rechazada', 'retirada', 'sin_efecto'),
    'valoracion_riesgo': ('por_aprobar', 'vigente', 'rechazada'),
}


def _lista(estados):
    return ', '.join(f"'{e}'" for e in estados)


def _comprobar_filas(conexion):
    """Refuse with the offending values rather than a bare constraint error."""
    for tabla, estados in ESTADOS.items():
        ajenos = conexion.exec_driver_sql(
            f"SELECT DISTINCT estado FROM {tabla} WHERE estado NOT IN ({_lista(estados)})").scalars().all()
        if ajenos:
            raise RuntimeError(f"{tabla}.estado tiene valores que su flujo no conoce: {sorted(ajenos)}")


def _en_sqlite(cambio):
    """Run `cambio(tabla)` for every table in a transaction of its own, foreign keys off."""
    with op.get_context().autocommit_block():
        conexion = op.get_bind()
        if conexion.connection.driver_connection.in_transaction:
            conexion.exec_driver_sql("COMMIT")  # the BEGIN casos.bd issues on every begin
        llaves = conexion.exec_driver_sql("PRAGMA foreign_keys").scalar()
        conexion.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            conexion.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                for tabla in ESTADOS:
                    disparadores = conexion.exec_driver_sql(
                        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                        (tabla,)).scalars().all()
                    cambio(tabla)
                    for disparador in disparadores:
                        conexion.exec_driver_sql(disparador)
                fallos = conexion.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if fallos:
                    raise RuntimeError(f"llaves foráneas rotas tras reconstruir: {fallos[:5]}")
                conexion.exec_driver_sql("COMMIT")
            except BaseException:
                conexion.exec_driver_sql("ROLLBACK")
                raise
        finally:
            conexion.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if llaves else 'OFF'}")


def upgrade():
    conexion = op.get_bind()
    _comprobar_filas(conexion)
    if conexion.dialect.name == 'sqlite':
        def agregar(tabla):
            with op.batch_alter_table(tabla, recreate='always') as batch_op:
                batch_op.create_check_constraint(
                    op.f(f'ck_{tabla}_estado'), f'estado IN ({_lista(ESTADOS[tabla])})')

        _en_sqlite(agregar)
    else:
        for tabla, estados in ESTADOS.items():
            op.create_check_constraint(op.f(f'ck_{tabla}_estado'), tabla, f'estado IN ({_lista(estados)})')


def downgrade():
    conexion = op.get_bind()
    if conexion.dialect.name == 'sqlite':
        def quitar(tabla):
            with op.batch_alter_table(tabla, recreate='always') as batch_op:
                batch_op.drop_constraint(op.f(f'ck_{tabla}_estado'), type_='check')

        _en_sqlite(quitar)
    else:
        for tabla in ESTADOS:
            op.drop_constraint(op.f(f'ck_{tabla}_estado'), tabla, type_='check')
