"""Read-only JSON API for the equality model: bearer tokens, no session, no CSRF.

`casos.acceso` checks the token before any view here runs (access mode TOKEN_API); the
answers are the same page of an edition the dashboard shows, serialised as the JSON download
(the same bytes, ETag and 304).
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from casos.acceso import PUBLICA, TOKEN_API, permiso
from casos.catalogos import municipios
from casos.estadisticas import consultas, ediciones
from casos.estadisticas.exportar import Consulta, descarga
from casos.estadisticas.openapi import documento
from casos.estadisticas.publicacion import DIMENSIONES, GRANULARIDADES, MEDIDAS
from casos.extensiones import csrf, limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookie authenticates here, so there is no cross-site request to forge


# Each call is audited, with the token that asked as its object (casos/peticion.py), before
# anything is answered: an invalid question too. A call over the rate limit is refused first,
# and leaves no event: the limiter sits above the boundary.
@bp.route("/estadisticas")
@limiter.limit("60 per minute")
@permiso(TOKEN_API, lectura="api.consultar")
def estadisticas():
    consulta = Consulta.de_args(request.args)
    if consulta.codigo != 200:
        error = "Solicitud no válida" if consulta.codigo == 400 else "No encontrado"
        return jsonify(error=error, mensaje=" ".join(consulta.errores)), consulta.codigo
    return descarga(consulta.servir(), "json")


@bp.route("/catalogos")
@permiso(TOKEN_API, lectura="api.consultar")
def catalogos():
    ultima = ediciones.ultima()
    return jsonify(
        municipios=[{"clave": m.clave, "nombre": m.nombre, "mujeres_2020": m.mujeres}
                    for m in sorted(municipios().values(), key=lambda m: m.clave)],
        instituciones=[{"clave": siglas, "nombre": nombre}
                       for siglas, nombre in sorted(consultas.instituciones().items())],
        granularidades=list(GRANULARIDADES),
        medidas=[{"clave": m.clave, "titulo": m.titulo, "dimensiones": list(m.dimensiones),
                  "nota": m.nota} for m in MEDIDAS.values()],
        dimensiones=[{"clave": c, "nombre": n} for c, n in DIMENSIONES.items()],
        anios=ediciones.contenido(ultima).anios if ultima else [],
        ediciones=[e.como_dict() for e in ediciones.todas()],
    )


@bp.route("/openapi.json")
@permiso(PUBLICA)  # the description of the API holds no data
def openapi():
    return jsonify(documento())
