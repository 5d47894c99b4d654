"""Case transitions and the supervisora's approval inbox."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from casos.acceso import caso_visible_o_404, permiso
from casos.canalizaciones.modelos import Canalizacion
from casos.canalizaciones.servicios import VALORES as VALORES_CANALIZACION
from casos.expedientes import servicios as expedientes
from casos.expedientes.modelos import Caso, ValoracionRiesgo
from casos.extensiones import db
from casos.transiciones import servicios
from casos.transiciones.modelos import SolicitudAprobacion
from flujos import FLUJOS, MovimientoIlegal

bp = Blueprint("flujo", __name__)

MODELOS = {"caso": Caso, "canalizacion": Canalizacion, "valoracion_riesgo": ValoracionRiesgo}


def version_del_formulario() -> int:
    """The version of the row the person saw, carried by the form: a stale page loses."""
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        raise MovimientoIlegal("La página no está completa; recárguela e intente de nuevo.") from None


def ejecutar(cambio, exito) -> bool:
    """Run one state change at the request boundary: commit and say so, or roll back and
    say why not (MovimientoIlegal carries a Spanish message fit for the person)."""
    try:
        cambio()
    except MovimientoIlegal as error:
        db.session.rollback()
        flash(str(error), "error")
        return False
    db.session.commit()
    flash(exito() if callable(exito) else exito, "exito")
    return True


def _motivo() -> str | None:
    return (request.form.get("motivo") or "").strip()[:2000] or None


@bp.route("/casos/<uuid:caso_id>/transicion", methods=["POST"])
@permiso("casos.registrar")
def transicion_de_caso(caso_id: uuid.UUID):
    caso = caso_visible_o_404(current_user, caso_id)
    evento = request.form.get("evento", "")
    quien = servicios.actor(current_user, duena_id=caso.institucion_id)
    mensaje = []

    def cambio():
        transicion = FLUJOS["caso"].transicion(evento)
        if transicion.requiere_aprobacion:
            if caso.version != version_del_formulario():
                raise servicios.Conflicto()
            servicios.solicitar(caso, evento, quien, current_user, motivo=_motivo())
            mensaje.append(f"Solicitud enviada a supervisión: «{transicion.etiqueta}».")
        else:
            servicios.disparar(caso, evento, quien, current_user,
                               version_vista=version_del_formulario(), motivo=_motivo())
            mensaje.append(f"Listo: {transicion.etiqueta.lower()}.")

    ejecutar(cambio, lambda: mensaje[0])
    return redirect(url_for("expedientes.ver", caso_id=caso_id))


def _pendientes(institucion_id) -> list[SolicitudAprobacion]:
    """Most urgent first: urgent cases, then the oldest request."""
    return list(db.session.scalars(
        select(SolicitudAprobacion).join(Caso, Caso.id == SolicitudAprobacion.caso_id)
        .where(SolicitudAprobacion.institucion_id == institucion_id,
               SolicitudAprobacion.estado == "pendiente")
        .order_by(Caso.urgente.desc(), SolicitudAprobacion.creada_en)))


@bp.route("/aprobaciones/")
@permiso("aprobaciones.resolver")
def bandeja():
    return render_template("aprobaciones/bandeja.html", solicitudes=_pendientes(current_user.institucion_id),
                           FLUJOS=FLUJOS)


@bp.route("/aprobaciones/<uuid:solicitud_id>", methods=["POST"])
@permiso("aprobaciones.resolver")
def resolver(solicitud_id: uuid.UUID):
    solicitud = db.session.scalar(select(SolicitudAprobacion).where(
        SolicitudAprobacion.id == solicitud_id,
        SolicitudAprobacion.institucion_id == current_user.institucion_id))
    if solicitud is None:
        abort(404)  # another institution's request does not exist for her
    entidad = db.session.get(MODELOS[solicitud.entidad], solicitud.entidad_id)
    decision = request.form.get("decision")

    def cambio():
        if decision == "aprobar":
            valores = (VALORES_CANALIZACION.get(solicitud.evento, lambda c: {})(entidad)
                       if solicitud.entidad == "canalizacion" else None)
            servicios.aprobar(solicitud, entidad, current_user, version_vista=version_del_formulario(),
                              motivo=_motivo(), valores=valores)
            if solicitud.entidad == "valoracion_riesgo":
                expedientes.aplicar_valoracion(entidad)
        elif decision == "rechazar":
            servicios.rechazar(solicitud, entidad, current_user, version_vista=version_del_formulario(),
                               motivo=_motivo())
        else:
            raise MovimientoIlegal("Elija aprobar o rechazar.")

    ejecutar(cambio, "Solicitud aprobada." if decision == "aprobar" else "Solicitud rechazada.")
    return redirect(url_for("flujo.bandeja"))
