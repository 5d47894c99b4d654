"""The printed referral (oficio de canalización) and the case summary: a page that prints
cleanly from the browser, and the same document as a PDF download.

Each route reaches its object through its scoped loader (a third institution gets 404) and
declares its read event: printing reads her data, so the event is written before anything is
decrypted (casos/peticion.py). What each document carries is decided in contenido.py.
"""

from __future__ import annotations

from flask import Blueprint, g, make_response, render_template, url_for
from flask_login import current_user

from casos.acceso import EJERCER_ACCESO, LEER, permiso
from casos.impresos import acceso_arco, contenido, pdf

bp = Blueprint("impresos", __name__)


def _descarga(documento):
    respuesta = make_response(pdf.dibujar(documento))
    respuesta.headers["Content-Type"] = "application/pdf"
    # Named by kind and folio, never by her; never kept by a shared computer's cache.
    respuesta.headers["Content-Disposition"] = f'attachment; filename="{documento.archivo}"'
    respuesta.headers["Cache-Control"] = "no-store"
    return respuesta


@bp.route("/canalizaciones/<uuid:canalizacion_id>/oficio")
@permiso("casos.consultar", canalizacion_id=LEER, lectura="oficio.imprimir")
def oficio(canalizacion):
    return render_template(
        "impresos/oficio.html", documento=contenido.oficio(canalizacion, current_user),
        pdf=url_for("impresos.oficio_pdf", canalizacion_id=canalizacion.id),
        volver=url_for("canalizaciones.ver", canalizacion_id=canalizacion.id))


@bp.route("/canalizaciones/<uuid:canalizacion_id>/oficio.pdf")
@permiso("casos.consultar", canalizacion_id=LEER, lectura="oficio.descargar")
def oficio_pdf(canalizacion):
    return _descarga(contenido.oficio(canalizacion, current_user))


@bp.route("/casos/<uuid:caso_id>/resumen")
@permiso("casos.consultar", caso_id=LEER, lectura="resumen.imprimir")
def resumen(caso):
    # g.vista: what she may read of the case, from its loader (casos/acceso/objetos.py).
    return render_template(
        "impresos/resumen.html", documento=contenido.resumen(caso, current_user, g.vista),
        pdf=url_for("impresos.resumen_pdf", caso_id=caso.id), volver=url_for("expedientes.ver", caso_id=caso.id))


@bp.route("/casos/<uuid:caso_id>/resumen.pdf")
@permiso("casos.consultar", caso_id=LEER, lectura="resumen.descargar")
def resumen_pdf(caso):
    return _descarga(contenido.resumen(caso, current_user, g.vista))


# What the system holds about her, for the transparency officer to deliver (ARCO, acceso):
# only for a granted request with her identity accredited (its loader refuses otherwise).
@bp.route("/arco/<uuid:solicitud_arco_id>/acceso")
@permiso("arco.tramitar", solicitud_arco_id=EJERCER_ACCESO, lectura="arco.acceso.imprimir")
def acceso(solicitud_arco):
    return render_template(
        "impresos/acceso_arco.html", documento=acceso_arco.acceso(solicitud_arco, current_user),
        pdf=url_for("impresos.acceso_pdf", solicitud_arco_id=solicitud_arco.id),
        volver=url_for("arco.ver", solicitud_arco_id=solicitud_arco.id))


@bp.route("/arco/<uuid:solicitud_arco_id>/acceso.pdf")
@permiso("arco.tramitar", solicitud_arco_id=EJERCER_ACCESO, lectura="arco.acceso.descargar")
def acceso_pdf(solicitud_arco):
    return _descarga(acceso_arco.acceso(solicitud_arco, current_user))
