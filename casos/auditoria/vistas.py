"""Who accessed what and when: metadata only, never a case's contents.

Each page is itself audited: who looks at the trail is part of the trail. Its event is written
before the page runs, like every read (casos/peticion.py); the page lists only the events
before its own, so it never lists its own visit.
"""

from __future__ import annotations

from flask import Blueprint, g, render_template, request

from casos import auditoria
from casos.acceso import PROPIO, permiso
from casos.auditoria import consultas

bp = Blueprint("auditoria", __name__)


def _antes_de_esta_visita(antes: int | None) -> int:
    propia = g.evento_lectura["secuencia"]
    return propia if antes is None else min(antes, propia)


# A case referred to her institution is its owner's business: its supervisora answers for it.
@bp.route("/casos/<uuid:caso_id>/accesos")
@permiso("auditoria.caso", caso_id=PROPIO, lectura="auditoria.caso")
def accesos_caso(caso):
    filtros = consultas.Filtros(caso_id=caso.id, antes=_antes_de_esta_visita(
        consultas.entero_positivo(request.args.get("antes"))))
    pagina = consultas.pagina(filtros)
    return render_template("auditoria/accesos_caso.html", caso=caso, pagina=pagina,
                           ACCIONES=auditoria.ACCIONES)


@bp.route("/admin/auditoria")
@permiso("auditoria.consultar", lectura="auditoria.consultar")
def bitacora():
    filtros = consultas.Filtros.de_consulta(request.args)
    filtros.antes = _antes_de_esta_visita(filtros.antes)
    pagina = consultas.pagina(filtros)
    return render_template("auditoria/bitacora.html", filtros=filtros, pagina=pagina,
                           cuentas=consultas.cuentas_para_filtro(), ACCIONES=auditoria.ACCIONES,
                           POR_PAGINA=consultas.POR_PAGINA)
