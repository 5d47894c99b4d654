"""Who accessed what and when: metadata only, never a case's contents.

Each page is itself audited: who looks at the trail is part of the trail. Its event is written
after the page's query (and before the answer leaves), so the page never lists its own visit:
on SQLite the request's read snapshot could not see it anyway, on PostgreSQL it could.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from casos import auditoria
from casos.acceso import caso_visible_o_404, permiso
from casos.auditoria import consultas

bp = Blueprint("auditoria", __name__)


@bp.route("/casos/<uuid:caso_id>/accesos")
@permiso("auditoria.caso")
def accesos_caso(caso_id: uuid.UUID):
    caso = caso_visible_o_404(current_user, caso_id)
    if caso.institucion_id != current_user.institucion_id:
        abort(403)  # a case referred to her institution: its owner's supervisora answers for it
    filtros = consultas.Filtros(caso_id=caso.id, antes=consultas.entero_positivo(request.args.get("antes")))
    pagina = consultas.pagina(filtros)
    auditoria.registrar_consulta("auditoria.caso", caso_id=caso.id)
    return render_template("auditoria/accesos_caso.html", caso=caso, pagina=pagina,
                           ACCIONES=auditoria.ACCIONES)


@bp.route("/admin/auditoria")
@permiso("auditoria.consultar")
def bitacora():
    filtros = consultas.Filtros.de_consulta(request.args)
    pagina = consultas.pagina(filtros)
    auditoria.registrar_consulta("auditoria.consultar")
    return render_template("auditoria/bitacora.html", filtros=filtros, pagina=pagina,
                           cuentas=consultas.cuentas_para_filtro(), ACCIONES=auditoria.ACCIONES,
                           POR_PAGINA=consultas.POR_PAGINA)
