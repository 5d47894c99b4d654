"""The gestora's dashboard and its downloads."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from casos import auditoria
from casos.acceso import permiso
from casos.catalogos import opciones_municipio
from casos.estadisticas import consultas, graficas
from casos.estadisticas.exportar import Consulta, a_csv, a_json
from casos.estadisticas.publicacion import DIMENSIONES, GRANULARIDADES, MEDIDAS

bp = Blueprint("estadisticas", __name__, url_prefix="/estadisticas")


@bp.route("/")
@permiso("estadisticas.consultar")
def tablero():
    consulta = Consulta.de_args(request.args)
    publicacion = consulta.publicar()
    graficos = {cuadro.clave: graficas.de_cuadro(cuadro, publicacion.anio)
                for cuadros in publicacion.cuadros.values() for cuadro in cuadros}
    return render_template(
        "estadisticas/tablero.html", consulta=consulta, publicacion=publicacion,
        graficos=graficos, MEDIDAS=MEDIDAS, GRANULARIDADES=GRANULARIDADES, DIMENSIONES=DIMENSIONES,
        anios=consultas.anios_con_datos(), opciones_municipios=opciones_municipio(),
        opciones_instituciones=sorted(consultas.instituciones().items(), key=lambda i: i[1]))


def _descarga(contenido: str, tipo: str, nombre: str) -> Response:
    return Response(contenido, mimetype=tipo,
                    headers={"Content-Disposition": f'attachment; filename="{nombre}"'})


def _consulta_valida() -> Consulta:
    """A download never silently answers another question than the one asked."""
    consulta = Consulta.de_args(request.args)
    if consulta.errores:
        abort(400)
    return consulta


@bp.route("/exportar.csv")
@permiso("estadisticas.consultar")
def exportar_csv():
    consulta = _consulta_valida()
    auditoria.registrar_consulta("estadisticas.exportar")
    return _descarga(a_csv(consulta.publicar()), "text/csv", consulta.nombre_archivo("csv"))


@bp.route("/exportar.json")
@permiso("estadisticas.consultar")
def exportar_json():
    consulta = _consulta_valida()
    auditoria.registrar_consulta("estadisticas.exportar")
    return _descarga(a_json(consulta.publicar()), "application/json", consulta.nombre_archivo("json"))
