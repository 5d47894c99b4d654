"""The gestora's dashboard and its downloads."""

from __future__ import annotations

from functools import lru_cache, partial, wraps
from numbers import Number

from flask import Blueprint, abort, render_template, request
from markupsafe import Markup, escape

from casos.acceso import permiso
from casos.catalogos import opciones_municipio
from casos.estadisticas import consultas, graficas, instantaneas
from casos.estadisticas.exportar import Consulta, descarga, en_formato
from casos.estadisticas.publicacion import DIMENSIONES, GRANULARIDADES, MEDIDAS, sin_recolector_de_ciclos
from casos.estadisticas.supresion import NO_DISPONIBLE


@lru_cache(maxsize=4096, typed=True)  # typed: 547 and 547.0 (a rate) differ
def cifra(valor, umbral: int) -> Markup:
    """A cell as the page shows it: a count with spaces between thousands, "—" when not
    published, or a mark ("<k", "s", "n.d.") with what it means. A function (the same values come
    back all over a page), not a template macro: a state page has thousands of cells, and a
    macro call costs ten times as much."""
    if valor is None:
        return Markup("—")
    if isinstance(valor, Number):
        return escape(f"{valor:,}".replace(",", " "))
    if valor == NO_DISPONIBLE:
        titulo = "No disponible: calculada sobre menos de {umbral} casos o sobre una cifra suprimida"
        titulo = titulo.format(umbral=umbral)
    elif valor.startswith("<"):
        titulo = f"Entre 1 y {umbral - 1} casos"
    else:
        titulo = "Cifra suprimida para que otra no pueda deducirse"
    return Markup(f'<abbr title="{escape(titulo)}">{escape(valor)}</abbr>')


MESES_DEL_ANIO = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
                  "septiembre", "octubre", "noviembre", "diciembre")

bp = Blueprint("estadisticas", __name__, url_prefix="/estadisticas")


@bp.route("/")
@permiso("estadisticas.consultar")
def tablero():
    consulta = Consulta.de_args(request.args)
    instantanea = consulta.instantanea()
    publicacion = instantanea.publicacion
    graficos = instantanea.derivados.get("graficos")
    if graficos is None:
        graficos = instantanea.derivados["graficos"] = {
            cuadro.clave: graficas.de_cuadro(cuadro, publicacion.anio)
            for cuadros in publicacion.cuadros.values() for cuadro in cuadros}
    contexto = dict(
        consulta=consulta, publicacion=publicacion, calculada_en=instantanea.calculada_en,
        vigencia=instantaneas.vigencia(), cifra=partial(cifra, umbral=publicacion.umbral),
        graficos=graficos, MEDIDAS=MEDIDAS, GRANULARIDADES=GRANULARIDADES, DIMENSIONES=DIMENSIONES,
        MESES_DEL_ANIO=MESES_DEL_ANIO, anios=consultas.anios_con_datos(),
        opciones_municipios=opciones_municipio(),
        opciones_instituciones=sorted(consultas.instituciones().items(), key=lambda i: i[1]))
    # Thousands of cells make tens of thousands of short-lived objects: with the collector
    # running, one page in a dozen paid a full collection of the process (60 ms measured).
    with sin_recolector_de_ciclos():
        return render_template("estadisticas/tablero.html", **contexto)


def _consulta_valida(vista):
    """A download never silently answers another question than the one asked: an invalid
    one is refused (400) before anything, its audit event included. Above `permiso`, whose
    boundary writes the route's read event before the view runs; the role was checked
    before either (casos/acceso/politica.py `verificar`)."""
    @wraps(vista)
    def envoltura(**argumentos):
        consulta = Consulta.de_args(request.args)
        if consulta.errores:
            abort(400)
        return vista(consulta=consulta, **argumentos)

    return envoltura


@bp.route("/exportar.csv")
@_consulta_valida
@permiso("estadisticas.consultar", lectura="estadisticas.exportar")
def exportar_csv(consulta: Consulta):
    instantanea = consulta.instantanea()
    return descarga(en_formato(instantanea, "csv"), "text/csv", instantanea, consulta.nombre_archivo("csv"))


@bp.route("/exportar.json")
@_consulta_valida
@permiso("estadisticas.consultar", lectura="estadisticas.exportar")
def exportar_json(consulta: Consulta):
    instantanea = consulta.instantanea()
    return descarga(en_formato(instantanea, "json"), "application/json", instantanea,
                    consulta.nombre_archivo("json"))
