"""How many statements the busiest pages issue: a number that must not grow with the data.

A case page or a list that queried once per incident, order, referral or row (N+1) would be
fast in every other test and slow in production. These tests count the statements of one
request for a small and a large case (or list) and require the same count, within a bound.
The count does not depend on the machine's load, unlike a timing.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from html import unescape

import pytest
import sqlalchemy as sa

from casos.atenciones.modelos import Atencion
from casos.bd import ahora, hoy_local
from casos.canalizaciones import servicios as canalizaciones
from casos.expedientes import servicios
from casos.expedientes.modelos import Asignacion, Caso, Hecho
from casos.expedientes.riesgo import instrumento
from casos.extensiones import db
from casos.ordenes import servicios as ordenes
from tests.conftest import datos_de_caso

# Session and account (1); the case with its one-to-one rows (1); the audit event (3 on SQLite:
# head, event, head; 2 on PostgreSQL: head, event with head); incidents, duplicate hint (2);
# the history's own sources (4: its moves, the approval requests, which also give the pending
# ones, assignments, and the people it names by id: casos/expedientes/historia.py); services
# (1); documents (1); one per collection the template reads: orders, assessments, daughters
# and sons, aggressors, referrals (5).
SENTENCIAS_PAGINA_DE_CASO = 18
# Session and account, the audit event (3; 2 on PostgreSQL), the page of cases, the drafts.
SENTENCIAS_LISTA = 6


@contextmanager
def sentencias(*, con_begin: bool = False):
    """The SQL statements run meanwhile, BEGIN excluded unless asked for (SQLite's
    transactions show it, and whether it is IMMEDIATE; PostgreSQL's don't)."""
    vistas: list[str] = []

    def anotar(_conexion, _cursor, sentencia, *_):
        if con_begin or not sentencia.lstrip().upper().startswith("BEGIN"):
            vistas.append(sentencia)

    sa.event.listen(db.engine, "before_cursor_execute", anotar)
    try:
        yield vistas
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", anotar)


def _caso_con(cuentas, n: int) -> Caso:
    """A case with n of everything its page lists: incidents, daughters and sons,
    aggressors, assessments, protection orders, referrals (each with its pending approval
    and its history), services and assignments."""
    from casos.expedientes.servicios import DatosAgresor, DatosNna

    autora = cuentas["capturista"]
    caso = servicios.registrar_caso(autora, datos_de_caso(
        nna=[DatosNna(f"Hija Sintetica {i}", 3 + i, i % 2 == 0) for i in range(n)],
        agresores=[DatosAgresor(f"Agresor Sintetico {i}", "pareja", True, False) for i in range(n)]))
    for i in range(1, n):  # the intake recorded the first incident
        hecho = Hecho(caso=caso, fecha=date(2026, 10, i), municipio="32056")
        db.session.add(hecho)
        hecho.lugar, hecho.narrativa = f"Lugar sintetico {i}", f"Relato sintetico {i}"
        hecho.tipos, hecho.modalidades = ["fisica", "psicologica"], ["familiar", "comunidad"]
    respuestas = {indicador.clave: "no" for indicador in instrumento().indicadores}
    for i in range(n):
        servicios.registrar_valoracion(caso, autora, respuestas, None, None)
        ordenes.registrar_solicitud(caso, autora, tipo="administrativa", autoridad="ministerio_publico",
                                    medidas=["prohibicion_acercarse"], solicitada_en=ahora(),
                                    notas=f"Nota sintetica {i}")
        canalizaciones.solicitar(caso, autora, destino=cuentas.institucion_b, servicios=["psicologica"],
                                 motivo=f"Motivo sintetico {i}", hoy=hoy_local())
        atencion = Atencion(caso=caso, institucion_id=caso.institucion_id, tipo="psicologica",
                            fecha=hoy_local(), duracion_minutos=50, brindada_por_id=autora.id,
                            registrada_por_id=autora.id)
        db.session.add(atencion)
        atencion.notas = f"Nota de atencion sintetica {i}"
        db.session.add(Asignacion(caso_id=caso.id, responsable_id=cuentas["supervisora"].id,
                                  anterior_id=autora.id, asignada_por_id=cuentas["supervisora"].id))
    db.session.commit()
    return caso


def _sentencias_de(cliente, ruta: str) -> list[str]:
    cliente.get(ruta)  # once before, so that nothing counted is a first-time cost
    with sentencias() as vistas:
        respuesta = cliente.get(ruta)
    assert respuesta.status_code == 200, respuesta.status_code
    return vistas


def test_la_pagina_de_un_caso_hace_las_mismas_consultas_con_uno_o_con_muchos_registros(como, cuentas):
    pequeno, grande = _caso_con(cuentas, 1), _caso_con(cuentas, 5)
    cliente = como("capturista")

    de_pequeno = _sentencias_de(cliente, f"/casos/{pequeno.id}")
    de_grande = _sentencias_de(cliente, f"/casos/{grande.id}")

    assert len(de_grande) == len(de_pequeno), "\n".join(de_grande)
    assert len(de_grande) <= SENTENCIAS_PAGINA_DE_CASO, "\n".join(de_grande)
    # And the page does show all of it.
    html = unescape(cliente.get(f"/casos/{grande.id}").get_data(as_text=True))
    for texto in ("Hija Sintetica 4", "Agresor Sintetico 4", "Relato sintetico 4", "Nota sintetica 4",
                  "Nota de atencion sintetica 4"):
        assert texto in html
    assert html.count("Asignó el caso a") == html.count("Atención brindada: ") == 5
    assert html.count("Pendiente de aprobación") == 5


def test_la_lista_hace_las_mismas_consultas_con_una_fila_o_con_una_pagina_llena(como, cuentas):
    cliente = como("capturista")
    servicios.registrar_caso(cuentas["capturista"], datos_de_caso(nombre="Unica Sintetica"))
    db.session.commit()
    con_una = _sentencias_de(cliente, "/casos/")

    for i in range(55):
        servicios.registrar_caso(cuentas["capturista"], datos_de_caso(nombre=f"Persona Sintetica {i}"))
    db.session.commit()
    con_pagina_llena = _sentencias_de(cliente, "/casos/")

    assert len(con_pagina_llena) == len(con_una) <= SENTENCIAS_LISTA, "\n".join(con_pagina_llena)


def test_cada_fila_de_la_lista_muestra_lo_que_mostraba(como, cuentas):
    """The rows are computed in Python now (listado.Fila): same text as before."""
    autora = cuentas["capturista"]
    vencida = servicios.registrar_caso(autora, datos_de_caso(nombre="Vencida Sintetica", municipio="32056"))
    vencida.proxima_valoracion = ahora() - timedelta(days=1)
    vencida.nivel_riesgo, vencida.urgente = "extremo", True
    al_dia = servicios.registrar_caso(autora, datos_de_caso(nombre="Al Dia Sintetica"))
    al_dia.proxima_valoracion = ahora() + timedelta(days=30)
    borrada = servicios.registrar_caso(autora, datos_de_caso(nombre="Borrada Sintetica"))
    servicios.eliminar_datos_personales(borrada)
    db.session.commit()

    html = unescape(como("capturista").get("/casos/").get_data(as_text=True))
    filas = {fila.split("</a>")[0].rsplit(">", 1)[-1]: fila for fila in html.split('<tr class="')[1:]}

    assert 'fila-urgente' in filas["Vencida Sintetica"] and "URGENTE" in filas["Vencida Sintetica"]
    assert 'atrasado">vencida' in filas["Vencida Sintetica"]
    assert "Zacatecas" in filas["Vencida Sintetica"]  # municipality 32056 by name
    assert "vencida" not in filas["Al Dia Sintetica"]
    assert "Borrada Sintetica" not in html and "Datos personales eliminados" in filas
    assert "Sin valorar" in filas["Datos personales eliminados"]


def test_el_aviso_de_duplicado_por_nombre_y_nacimiento_usa_los_indices_guardados(como, cuentas):
    """The case page compares the blind indexes stored at intake (no decryption): the same
    woman registered by name and birth date only, at another institution, is flagged; once
    the first case's data are erased, no longer."""
    primero = servicios.registrar_caso(cuentas["capturista"], datos_de_caso(
        nombre="Duplicada Sintetica Uno", curp="PEMA850101MZSRRN02"))
    segundo = servicios.registrar_caso(cuentas["capturista_b"], datos_de_caso(
        nombre="  duplicada SINTÉTICA uno ", curp=None, fecha_nacimiento=date(1985, 1, 1)))
    db.session.commit()
    b = como("capturista_b")
    aviso = f"Posible duplicado: existe un caso en {cuentas.institucion_a.nombre}"
    assert aviso in unescape(b.get(f"/casos/{segundo.id}").get_data(as_text=True))

    servicios.eliminar_datos_personales(primero)
    db.session.commit()
    assert "Posible duplicado" not in b.get(f"/casos/{segundo.id}").get_data(as_text=True)


def test_la_lista_por_estado_tiene_su_indice_de_paginacion(app):
    """Without it, a state few cases have made PostgreSQL read the whole table (92 ms at a
    million cases); with it, the filtered list walks the index like the unfiltered one."""
    indices = {i["name"]: i["column_names"] for i in sa.inspect(db.engine).get_indexes("caso")}
    assert indices["ix_caso_institucion_estado_creado"] == ["institucion_id", "estado", "creado_en", "id"]


@pytest.mark.parametrize("estado", ["registrado", "cerrado"])
def test_la_lista_por_estado_pagina_sin_perder_ni_repetir(app, cuentas, estado):
    from casos.expedientes import listado

    inicio = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
    for i in range(60):
        caso = servicios.registrar_caso(cuentas["capturista"], datos_de_caso(nombre=f"Persona {i}"))
        caso.creado_en = inicio + timedelta(minutes=i // 2)  # pairs share a time: the id breaks ties
        caso.estado = "cerrado" if i % 3 == 0 else "registrado"
    db.session.commit()
    esperados = db.session.scalars(
        sa.select(Caso.id).where(Caso.estado == estado).order_by(Caso.creado_en.desc(), Caso.id.desc())).all()

    vistos, despues = [], None
    while True:
        pagina = listado.pagina(cuentas["capturista"], listado.Filtros(estado=estado, despues=despues))
        vistos += [c.id for c in pagina.casos]
        if not pagina.siguiente:
            break
        despues = pagina.siguiente
    assert vistos == esperados
