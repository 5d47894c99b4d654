"""The case list merges the parts of the visible scope (own cases, cases shared by a live
referral), each read on its own index: page after page, it must show exactly what one query
over `casos_visibles` would, in the same order."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from casos.acceso import casos_visibles
from casos.bd import hoy_local
from casos.canalizaciones import servicios as canalizaciones
from casos.expedientes import listado, servicios
from casos.expedientes.modelos import Caso
from casos.extensiones import db
from casos.transiciones import servicios as transiciones
from tests.conftest import datos_de_caso

INICIO = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)


def _caso(autora, minutos: int) -> Caso:
    caso = servicios.registrar_caso(autora, datos_de_caso(nombre=f"Persona sintetica {minutos}"))
    caso.creado_en = INICIO + timedelta(minutes=minutos)
    return caso


def _compartir(caso, cuentas) -> None:
    """Referred by A, approved by A's supervisora, accepted by B: B now sees it."""
    canalizacion = canalizaciones.solicitar(caso, cuentas["capturista"], destino=cuentas.institucion_b,
                                            servicios=["psicologica"], motivo="Atención", hoy=hoy_local())
    solicitud = transiciones.pendiente_de(canalizacion, "enviar")
    transiciones.aprobar(solicitud, canalizacion, cuentas["supervisora"], version_vista=solicitud.version,
                         valores=canalizaciones.VALORES["enviar"](canalizacion))
    canalizaciones.responder(canalizacion, "aceptar", cuentas["capturista_b"],
                             version_vista=canalizacion.version)


@pytest.mark.parametrize("orden", list(listado.ORDENES))
def test_la_lista_por_partes_es_la_lista_de_todo_lo_visible(app, cuentas, orden):
    propios = [_caso(cuentas["capturista_b"], 2 * i) for i in range(70)]
    ajenos = [_caso(cuentas["capturista"], 2 * i + 1) for i in range(0, 140, 9)]
    db.session.flush()
    compartidos = ajenos[::2]
    for caso in compartidos:
        _compartir(caso, cuentas)
    # Same instant for two cases: the id breaks the tie, across parts too.
    ajenos[1].creado_en = propios[5].creado_en
    _compartir(ajenos[1], cuentas)
    compartidos.append(ajenos[1])
    db.session.commit()

    usuaria = cuentas["capturista_b"]
    filas = db.session.scalars(casos_visibles(usuaria)).all()
    clave = (lambda c: (c.creado_en, c.id))
    esperado = [c.id for c in sorted(filas, key=clave, reverse=orden == "recientes")]
    assert len(esperado) == len(propios) + len(compartidos)

    vistos, despues = [], None
    for _ in range(10):
        pagina = listado.pagina(usuaria, listado.Filtros(orden=orden, despues=despues))
        assert len(pagina.casos) <= listado.POR_PAGINA
        vistos += [c.id for c in pagina.casos]
        despues = pagina.siguiente
        if despues is None:
            break
    assert vistos == esperado


def test_la_lista_de_otra_institucion_no_ve_lo_no_compartido(app, cuentas):
    ajeno = _caso(cuentas["capturista"], 1)
    db.session.commit()
    pagina = listado.pagina(cuentas["capturista_b"], listado.Filtros())
    assert ajeno.id not in {c.id for c in pagina.casos}
    assert db.session.scalar(select(Caso.id).where(Caso.id == ajeno.id)) == ajeno.id
