from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from casos.acceso import ATENDER, EN_SERVICIO, ESCRIBIR, permiso
from casos.atenciones import servicios
from casos.atenciones.formularios import FormularioAtencion
from casos.bd import hoy_local
from casos.peticion import cambio

bp = Blueprint("atenciones", __name__)


@bp.route("/casos/<uuid:caso_id>/atenciones/nueva", methods=["GET", "POST"])
@permiso("casos.registrar", caso_id=ESCRIBIR, lectura="caso.ver", cambio=EN_SERVICIO)
def nueva(caso):
    """The owning institution records a service it gave her."""
    return _registrar(caso, None, url_for("expedientes.ver", caso_id=caso.id))


@bp.route("/canalizaciones/<uuid:canalizacion_id>/atenciones/nueva", methods=["GET", "POST"])
@permiso("casos.registrar", canalizacion_id=ATENDER, lectura="canalizacion.ver", cambio=EN_SERVICIO)
def nueva_en_canalizacion(canalizacion):
    """The receiving institution records a service it gave her under its referral (the
    loader lets only it in, once accepted and while live)."""
    return _registrar(canalizacion.caso, canalizacion,
                      url_for("canalizaciones.ver", canalizacion_id=canalizacion.id))


def _registrar(caso, canalizacion, volver: str):
    personal = servicios.personal_que_atiende(current_user.institucion_id)
    formulario = FormularioAtencion(
        personal, lambda fecha: servicios.problema_de_fecha(fecha, caso, canalizacion),
        fecha=hoy_local(), brindada_por=str(current_user.id))
    if formulario.validate_on_submit():
        with cambio("Atención registrada.") as hecho:
            servicios.registrar_atencion(
                caso, current_user, tipo=formulario.tipo.data, fecha=formulario.fecha.data,
                duracion_minutos=formulario.duracion_minutos.data, notas=formulario.notas.data,
                brindada_por=next(p for p in personal if str(p.id) == formulario.brindada_por.data),
                canalizacion=canalizacion)
        if hecho.ok:
            return redirect(volver)
    # A case closed meanwhile: say so before she types; a form sent back keeps what she typed.
    impedimento = servicios.impedimento(caso, current_user, canalizacion)
    return render_template("atenciones/nueva.html", caso=caso, canalizacion=canalizacion,
                           formulario=formulario, volver=volver, impedimento=impedimento,
                           desde=servicios.limites_de_fecha(caso, canalizacion)[0])
