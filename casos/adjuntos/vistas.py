"""Attach a file to a case or to a referral, and download it. Every route reaches its objects
through the scoped loaders: who may open which file is `documentos_de` (casos/acceso)."""

from __future__ import annotations

import io

from flask import Blueprint, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from casos.acceso import ADJUNTAR, EN_SERVICIO, ESCRIBIR, LEER, permiso
from casos.adjuntos import servicios
from casos.adjuntos.formularios import FormularioAdjunto
from casos.catalogos import CONSENTIMIENTO_DE_ADJUNTO
from casos.peticion import cambio

bp = Blueprint("adjuntos", __name__)
EXTENSIONES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
CON_ARCHIVO = frozenset({"adjuntos.nuevo", "adjuntos.nuevo_en_canalizacion"})


@bp.url_value_preprocessor
def _admite_archivos(endpoint, _valores):
    """Only these forms take a file: the app's 1 MB limit rises for them before anything reads
    the body (CSRF included: URL preprocessors run before every before_request)."""
    if endpoint in CON_ARCHIVO:
        request.max_content_length = servicios.maximo() + 256 * 1024


@bp.route("/casos/<uuid:caso_id>/adjuntos/nuevo", methods=["GET", "POST"])
@permiso("casos.registrar", caso_id=ESCRIBIR, lectura="caso.ver", cambio=EN_SERVICIO)
def nuevo(caso):
    return _adjuntar(caso, None, url_for("expedientes.ver", caso_id=caso.id))


@bp.route("/canalizaciones/<uuid:canalizacion_id>/adjuntos/nuevo", methods=["GET", "POST"])
@permiso("casos.registrar", canalizacion_id=ADJUNTAR, lectura="canalizacion.ver", cambio=EN_SERVICIO)
def nuevo_en_canalizacion(canalizacion):
    return _adjuntar(canalizacion.caso, canalizacion,
                     url_for("canalizaciones.ver", canalizacion_id=canalizacion.id))


def _adjuntar(caso, canalizacion, volver: str):
    formulario = FormularioAdjunto()
    if formulario.validate_on_submit():
        archivo = formulario.archivo.data
        if not archivo or not archivo.filename:
            formulario.archivo.errors.append("Elija el archivo que va a subir.")
        else:
            datos = archivo.stream.read(servicios.maximo() + 1)
            with cambio("Documento guardado, cifrado.", campo=formulario.archivo) as hecho:
                servicios.adjuntar(caso, current_user, datos=datos, nombre=archivo.filename,
                                   categoria=formulario.categoria.data, canalizacion=canalizacion)
            if hecho.ok:
                return redirect(volver + "#titulo-adjuntos")
    return render_template("adjuntos/nuevo.html", formulario=formulario, caso=caso, canalizacion=canalizacion,
                           volver=volver, maximo_mb=f"{round(servicios.maximo() / (1024 * 1024), 2):g}",
                           requiere=CONSENTIMIENTO_DE_ADJUNTO)


@bp.route("/adjuntos/<uuid:adjunto_id>")
@permiso("casos.consultar", adjunto_id=LEER, lectura="adjunto.descargar")
def descargar(adjunto):
    """Sent as a download, never shown inline: a PDF's scripts never run in our origin."""
    nombre = f"{adjunto.categoria}-{adjunto.subido_en:%Y%m%d}.{EXTENSIONES[adjunto.tipo]}"
    respuesta = send_file(io.BytesIO(servicios.contenido(adjunto)), mimetype=adjunto.tipo,
                          as_attachment=True, download_name=nombre, max_age=0)
    respuesta.headers["Cache-Control"] = "no-store"
    return respuesta
