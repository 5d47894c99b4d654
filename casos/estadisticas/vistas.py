"""The gestora's dashboard and its downloads: the figures of an edition (ediciones.py)."""

from __future__ import annotations

import hashlib
from functools import lru_cache, partial, wraps
from numbers import Number

from flask import Blueprint, Response, render_template, request, session, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from casos.acceso import permiso
from casos.catalogos import opciones_municipio
from casos.estadisticas import consultas, ediciones, graficas, resumen
from casos.estadisticas.ensamblado import nombre_del_mes
from casos.estadisticas.exportar import Consulta, descarga
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


bp = Blueprint("estadisticas", __name__, url_prefix="/estadisticas")

TITULOS = {400: "Solicitud no válida", 404: "No encontrado"}


@bp.route("/")
@permiso("estadisticas.consultar")
def tablero():
    """The page of an edition (the latest unless one is asked for). A question that can't be
    answered shows the form and why, with its status (400, 404); before any edition, a
    message (200: a new installation's normal state)."""
    consulta = Consulta.de_args(request.args)
    contexto = dict(
        consulta=consulta, ediciones=ediciones.todas(), GRANULARIDADES=GRANULARIDADES,
        MEDIDAS=MEDIDAS, DIMENSIONES=DIMENSIONES, opciones_municipios=opciones_municipio(),
        opciones_instituciones=sorted(consultas.instituciones().items(), key=lambda i: i[1]),
        nombre_del_mes=nombre_del_mes, umbral=ediciones.umbral(), servida=None)
    if consulta.codigo != 200:
        codigo = 200 if consulta.codigo == 404 and consulta.pedida is None else consulta.codigo
        return render_template("estadisticas/tablero.html", **contexto), codigo
    servida = consulta.servir()
    publicacion = servida.publicacion
    graficos = servida.derivados.get("graficos")
    if graficos is None:
        graficos = servida.derivados["graficos"] = {
            cuadro.clave: graficas.de_cuadro(cuadro, publicacion.anio)
            for cuadros in publicacion.cuadros.values() for cuadro in cuadros}
    if "resumen" not in servida.derivados:  # from the edition's months, never the database
        servida.derivados["resumen"] = resumen.resumen(
            servida.contenido, publicacion.anio, publicacion.granularidad, publicacion.ambito)
        servida.derivados["secciones"] = resumen.secciones(publicacion)
    contexto.update(
        resumen=servida.derivados["resumen"], secciones=servida.derivados["secciones"],
        sin_desglose=resumen.sin_desglose(publicacion),
        servida=servida, publicacion=publicacion, contenido=servida.contenido, graficos=graficos,
        cifra=partial(cifra, umbral=publicacion.umbral), umbral=publicacion.umbral)
    # Thousands of cells make tens of thousands of short-lived objects: with the collector
    # running, one page in a dozen paid a full collection of the process (60 ms measured).
    with sin_recolector_de_ciclos():
        html = render_template("estadisticas/tablero.html", **contexto)
    return _condicional(html)


def _condicional(html: str) -> Response:
    """The page with an ETag, and 304 when the browser already has it. The page carries the
    form token of "Salir", signed anew on every request: the tag is taken without it (plus
    the session's own token, so another session's copy never matches)."""
    token = generate_csrf()
    huella = hashlib.sha256((html.replace(token, "") + str(session.get("csrf_token", ""))).encode())
    respuesta = Response(html, mimetype="text/html")
    respuesta.set_etag(huella.hexdigest()[:32], weak=True)
    return respuesta.make_conditional(request)


def _no_se_puede(consulta: Consulta) -> Response:
    """A download that can't answer the question: the page of the error, with its reason."""
    codigo = consulta.codigo
    html = render_template("error.html", codigo=codigo, titulo=TITULOS[codigo],
                           mensaje=" ".join(consulta.errores),
                           enlace=("Volver a la estadística", url_for("estadisticas.tablero")))
    return Response(html, status=codigo, mimetype="text/html")


def _consulta_valida(vista):
    """A download never silently answers another question than the one asked: an invalid
    one is refused (400, 404) before anything, its audit event included. Above `permiso`,
    whose boundary writes the route's read event before the view runs; the role was checked
    before either (casos/acceso/politica.py `verificar`)."""
    @wraps(vista)
    def envoltura(**argumentos):
        consulta = Consulta.de_args(request.args)
        if consulta.codigo != 200:
            return _no_se_puede(consulta)
        return vista(consulta=consulta, **argumentos)

    return envoltura


@bp.route("/exportar.csv")
@_consulta_valida
@permiso("estadisticas.consultar", lectura="estadisticas.exportar")
def exportar_csv(consulta: Consulta):
    return descarga(consulta.servir(), "csv", consulta.nombre_archivo("csv"))


@bp.route("/exportar.json")
@_consulta_valida
@permiso("estadisticas.consultar", lectura="estadisticas.exportar")
def exportar_json(consulta: Consulta):
    return descarga(consulta.servir(), "json", consulta.nombre_archivo("json"))
