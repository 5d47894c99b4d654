"""Workflow states live in flujos/ alone, and the database refuses any other.

Every `estado` of an entity driven by a machine of `flujos.FLUJOS` (its table is named after
the flujo) has a CHECK ck_<tabla>_estado: generated in the model from the machine
(`casos.bd.solo_estados_de`) and created by a migration. On the database the migrations built
(SQLite or PostgreSQL), an UPDATE to a state the machine does not know is refused and every
state it knows is accepted; and the CHECK found there (sqlite_master / pg_get_constraintdef,
read through the inspector) lists exactly the machine's states, so a state added to or
removed from a machine without a migration that replaces the constraint fails here.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from casos.arco.modelos import SolicitudArco
from casos.bd import ahora
from casos.canalizaciones.modelos import Canalizacion
from casos.expedientes import servicios
from casos.expedientes.modelos import ValoracionRiesgo
from casos.extensiones import db
from casos.ordenes.modelos import OrdenProteccion
from casos.transiciones.modelos import SolicitudAprobacion
from flujos import FLUJOS
from tests.conftest import datos_de_caso

FLUJOS_ORDENADOS = sorted(FLUJOS)
_LITERAL = re.compile(r"'((?:[^']|'')*)'")


def _literales(sql: str) -> set[str]:
    return {valor.replace("''", "'") for valor in _LITERAL.findall(sql)}


def _nombre_del_check(flujo: str) -> str:
    return f"ck_{flujo}_estado"


def _check_en_la_bd(flujo: str) -> str | None:
    """The text of ck_<tabla>_estado as the migrated database holds it, or None."""
    with db.engine.connect() as conexion:
        for check in sa.inspect(conexion).get_check_constraints(flujo):
            if check["name"] == _nombre_del_check(flujo):
                return check["sqltext"]
    return None


# ---- one row of every workflow table, each in its machine's initial state ---------------------

def _filas(cuentas) -> dict[str, object]:
    capturista = cuentas["capturista"]
    usuaria_id, a_id, b_id = capturista.id, cuentas.institucion_a.id, cuentas.institucion_b.id
    caso_id = servicios.registrar_caso(capturista, datos_de_caso()).id
    db.session.commit()
    ya = ahora()
    filas = [
        ValoracionRiesgo(caso_id=caso_id, autor_id=usuaria_id, version_instrumento=1, puntaje=0,
                         nivel_calculado="bajo", nivel="bajo", proxima_valoracion=ya + timedelta(days=30)),
        Canalizacion(caso_id=caso_id, origen_id=a_id, destino_id=b_id, creada_por_id=usuaria_id),
        # With its dates, so that the states in force pass ck_orden_proteccion_vigente_con_fechas.
        OrdenProteccion(caso_id=caso_id, institucion_id=a_id, tipo="administrativa", autoridad="juzgado",
                        registrada_por_id=usuaria_id, emitida_en=ya, vence_en=ya + timedelta(days=60)),
        SolicitudAprobacion(caso_id=caso_id, entidad="caso", entidad_id=caso_id, evento="cerrar",
                            institucion_id=a_id, solicitante_id=usuaria_id),
        # With a causal, so that the refused states pass ck_solicitud_arco_negada_con_causal.
        SolicitudArco(caso_id=caso_id, institucion_id=a_id, derecho="acceso", medio="presencial",
                      presentada_por="titular", identificacion="ine", causal="dano_tercero",
                      registrada_por_id=usuaria_id, recibida_el=ya.date(), plazo_prevencion=ya.date(),
                      plazo_no_competencia=ya.date()),
    ]
    db.session.add_all(filas)
    db.session.commit()
    return {"caso": caso_id, **{fila.__tablename__: fila.id for fila in filas}}


@pytest.fixture
def filas(app, cuentas) -> dict[str, object]:
    return _filas(cuentas)


def _tabla(flujo: str) -> sa.Table:
    assert flujo in db.metadata.tables, f"el flujo «{flujo}» no tiene una tabla con su nombre"
    tabla = db.metadata.tables[flujo]
    assert "estado" in tabla.c, f"la tabla «{flujo}» no tiene columna estado"
    return tabla


def _poner_estado(tabla: sa.Table, fila_id, estado) -> None:
    resultado = db.session.execute(sa.update(tabla).where(tabla.c.id == fila_id).values(estado=estado))
    assert resultado.rowcount == 1


def _estado(tabla: sa.Table, fila_id) -> str:
    return db.session.execute(sa.select(tabla.c.estado).where(tabla.c.id == fila_id)).scalar_one()


# ---- (a) the database refuses what the machine does not know, accepts what it does -----------

def test_cada_flujo_tiene_su_fila_de_prueba(filas):
    assert set(filas) == set(FLUJOS), "agregue a _filas una fila de la tabla del flujo nuevo"


@pytest.mark.parametrize("flujo", FLUJOS_ORDENADOS)
def test_la_bd_rechaza_un_estado_que_la_maquina_no_conoce(filas, flujo):
    maquina = FLUJOS[flujo]
    tabla = _tabla(flujo)
    ajenos = ["inventado", maquina.inicial.upper(), f"{maquina.inicial} ", "", None]
    # A state of another machine is not a state of this one.
    ajenos += sorted({e for f in FLUJOS.values() for e in f.estados} - set(maquina.estados))[:2]
    for ajeno in ajenos:
        with pytest.raises(IntegrityError):
            _poner_estado(tabla, filas[flujo], ajeno)
            db.session.flush()
        db.session.rollback()
    assert _estado(tabla, filas[flujo]) == maquina.inicial


@pytest.mark.parametrize("flujo", FLUJOS_ORDENADOS)
def test_la_bd_acepta_cada_estado_de_la_maquina(filas, flujo):
    tabla = _tabla(flujo)
    for estado in FLUJOS[flujo].estados:
        _poner_estado(tabla, filas[flujo], estado)
        db.session.commit()
        assert _estado(tabla, filas[flujo]) == estado


# ---- (b) the CHECK is the machine: in the model and in the migrated database -----------------

@pytest.mark.parametrize("flujo", FLUJOS_ORDENADOS)
def test_el_check_de_la_bd_lista_exactamente_los_estados_de_la_maquina(app, flujo):
    texto = _check_en_la_bd(flujo)
    assert texto is not None, (
        f"{flujo}.estado no tiene {_nombre_del_check(flujo)} en la base de datos: falta una migración")
    assert "estado" in texto and "NOT" not in texto.upper(), texto
    en_la_bd, en_la_maquina = _literales(texto), set(FLUJOS[flujo].estados)
    assert en_la_bd == en_la_maquina, (
        f"{_nombre_del_check(flujo)} no coincide con flujos/: falta una migración que lo reemplace "
        f"(sobran {sorted(en_la_bd - en_la_maquina)}, faltan {sorted(en_la_maquina - en_la_bd)})")


@pytest.mark.parametrize("flujo", FLUJOS_ORDENADOS)
def test_el_modelo_declara_el_check_generado_de_la_maquina(app, flujo):
    checks = [c for c in _tabla(flujo).constraints
              if isinstance(c, sa.CheckConstraint) and c.name == _nombre_del_check(flujo)]
    assert len(checks) == 1, f"el modelo de {flujo} no declara solo_estados_de({flujo!r})"
    assert _literales(str(checks[0].sqltext)) == set(FLUJOS[flujo].estados)


@pytest.mark.parametrize("flujo", FLUJOS_ORDENADOS)
def test_una_fila_nueva_empieza_en_el_estado_inicial_de_la_maquina(app, flujo):
    """The models' `default=` of `estado` is a literal; it must stay the machine's initial."""
    default = _tabla(flujo).c.estado.default
    assert default is not None and default.arg == FLUJOS[flujo].inicial
