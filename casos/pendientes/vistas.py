"""The Pendientes page: hers by default, or her institution's; by kind, most urgent by law
first; filtered by kind and situation; in pages."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from casos.acceso import etiquetas, permiso
from casos.bd import ahora
from casos.pendientes.servicios import SITUACIONES, TITULOS, calcular, clases_de, filtrar
from casos.peticion import numero_o_none

bp = Blueprint("pendientes", __name__)


def _pagina(texto: str | None) -> int:
    return numero_o_none(texto) or 1


@bp.route("/pendientes")
@permiso("pendientes.consultar", lectura="pendientes.ver")  # her cases' names
def pagina():
    # Unknown values are dropped, never passed on: the page falls back to its defaults.
    institucion = request.args.get("ver") == "institucion"
    clases = clases_de(current_user)  # the admin's: her ARCO requests
    clase = request.args.get("tipo") if request.args.get("tipo") in clases else None
    situacion = request.args.get("situacion") if request.args.get("situacion") in SITUACIONES else None
    momento = ahora()
    todos = calcular(current_user.institucion_id, usuaria=current_user, solo_suyos=not institucion,
                     momento=momento)
    lista = filtrar(todos, clase=clase, situacion_=situacion,
                    pagina=_pagina(request.args.get("pagina")), momento=momento)
    # Names of this page's cases only, in one statement (casos/acceso): 25, not hundreds.
    nombres = etiquetas({p.caso_id for p in lista.items}, current_user)

    def enlace(**cambios) -> dict:
        """The page's query with some values changed (a filter resets the page)."""
        valores = {"ver": "institucion" if institucion else None, "tipo": clase,
                   "situacion": situacion, "pagina": None, **cambios}
        return {k: v for k, v in valores.items() if v}

    return render_template("pendientes.html", lista=lista, nombres=nombres, momento=momento,
                           institucion=institucion, clase=clase, situacion=situacion,
                           enlace=enlace, CLASES=clases, TITULOS=TITULOS, SITUACIONES=SITUACIONES)
