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


# Every filter shape the list builds a statement for (listado._Forma: one per combination of
# filters set), in both orders, page after page: the cases shown are exactly those of her
# scope that match, in order. A shape bound to the wrong parameter, or a part of the scope
# it forgets, shows up as a difference here.
_FILTROS = ("estado", "nivel", "municipio", "urgentes", "ver", "desde", "hasta")


def _cumple(caso, filtros, usuaria, propio: bool) -> bool:
    from casos.filtros import limites_de_rango
    from flujos.caso import ABIERTOS

    desde, hasta = limites_de_rango(filtros.desde, filtros.hasta)
    return ((filtros.estado is None or caso.estado == filtros.estado)
            and (filtros.nivel is None or caso.nivel_riesgo == filtros.nivel)
            and (filtros.municipio is None or caso.municipio == filtros.municipio)
            and (not filtros.urgentes or (caso.urgente and caso.estado in ABIERTOS
                                          and caso.datos_eliminados_en is None))
            and (filtros.ver is None or caso.responsable_id == usuaria.id)
            # A filter on what a shared case may not show her keeps to her own cases.
            and (propio or not (filtros.nivel or filtros.urgentes or filtros.municipio or filtros.ver))
            and (desde is None or caso.creado_en >= desde) and (hasta is None or caso.creado_en < hasta))


def test_cada_forma_de_filtro_muestra_lo_visible_que_cumple(app, cuentas):
    from datetime import date
    from itertools import product

    usuaria = cuentas["capturista_b"]
    propios = [_caso(usuaria, 23 * i) for i in range(60)]  # more than a page
    ajenos = [_caso(cuentas["capturista"], 23 * i + 5) for i in range(12)]
    db.session.flush()
    for i, caso in enumerate(propios + ajenos):
        caso.estado = ("registrado", "en_atencion", "cerrado")[i % 3]
        caso.nivel_riesgo = ("alto", "bajo")[i % 2]
        caso.urgente = i % 4 == 0
        caso.municipio = ("32056", "32010")[(i // 2) % 2]
        if i % 5 == 0 and caso in propios:
            caso.responsable_id = usuaria.id
    for caso in ajenos[::2]:
        _compartir(caso, cuentas)
    db.session.commit()
    vistos_en_alcance = {c.id for c in db.session.scalars(casos_visibles(usuaria))}
    candidatos = [c for c in propios + ajenos if c.id in vistos_en_alcance]
    valores = {"estado": "registrado", "nivel": "alto", "municipio": "32056", "urgentes": True,
               "ver": listado.MIOS, "desde": date(2026, 3, 1), "hasta": date(2026, 3, 1)}

    for activos in product((False, True), repeat=len(_FILTROS)):
        for orden in listado.ORDENES:
            filtros = listado.Filtros(orden=orden, **{n: valores[n] for n, a in zip(_FILTROS, activos) if a})
            esperado = [c.id for c in sorted(
                (c for c in candidatos if _cumple(c, filtros, usuaria, c.institucion_id == usuaria.institucion_id)),
                key=lambda c: (c.creado_en, c.id), reverse=orden == "recientes")]
            vistos, despues = [], None
            for _ in range(5):
                filtros.despues = despues
                pagina = listado.pagina(usuaria, filtros)
                vistos += [c.id for c in pagina.casos]
                despues = pagina.siguiente
                if despues is None:
                    break
            assert vistos == esperado, (activos, orden)
