from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import and_, or_, select

from casos.acceso import caso_visible_o_404, permiso
from casos.bd import ahora, hoy_local
from casos.canalizaciones import servicios
from casos.canalizaciones.formularios import FormularioCanalizacion, FormularioRespuesta
from casos.canalizaciones.modelos import Canalizacion
from casos.extensiones import db
from casos.formularios import opciones
from casos.transiciones.modelos import HistorialTransicion
from casos.transiciones.servicios import actor
from casos.transiciones.vistas import ejecutar, version_del_formulario
from flujos import FLUJOS, MovimientoIlegal

bp = Blueprint("canalizaciones", __name__, url_prefix="/canalizaciones")


def _canalizacion_o_404(canalizacion_id) -> Canalizacion:
    """Only the two institutions of a referral know it exists; the receiving one, only once it
    was sent (a draft or a request awaiting approval is still the sender's business)."""
    canalizacion = db.session.scalar(select(Canalizacion).where(
        Canalizacion.id == canalizacion_id,
        or_(Canalizacion.origen_id == current_user.institucion_id,
            and_(Canalizacion.destino_id == current_user.institucion_id,
                 Canalizacion.enviada_en.is_not(None)))))
    if canalizacion is None:
        abort(404)
    return canalizacion


@bp.route("/")
@permiso("casos.consultar")
def bandeja():
    return render_template("canalizaciones/bandeja.html",
                           recibidas=servicios.recibidas(current_user.institucion_id),
                           enviadas=servicios.enviadas(current_user.institucion_id),
                           ahora=ahora(), FLUJO=FLUJOS["canalizacion"])


@bp.route("/nueva/<uuid:caso_id>", methods=["GET", "POST"])
@permiso("casos.registrar")
def nueva(caso_id: uuid.UUID):
    caso = caso_visible_o_404(current_user, caso_id)
    if caso.institucion_id != current_user.institucion_id:
        abort(403)
    destinos = servicios.destinos_posibles(caso, hoy_local())
    formulario = FormularioCanalizacion()
    formulario.destino_id.choices = opciones([("", "— Elija —")] + [(i.id, i.nombre) for i in destinos])
    if formulario.validate_on_submit():
        destino = next((i for i in destinos if str(i.id) == formulario.destino_id.data), None)
        try:
            if formulario.destino_id.data == str(caso.institucion_id):
                raise MovimientoIlegal("No se puede canalizar un caso a su propia institución.")
            if destino is None:
                raise MovimientoIlegal("El consentimiento de la mujer no permite canalizar a esa institución.")
            servicios.solicitar(caso, current_user, destino=destino, servicios=formulario.servicios.data,
                                motivo=formulario.motivo.data, hoy=hoy_local())
        except MovimientoIlegal as error:
            db.session.rollback()
            formulario.destino_id.errors.append(str(error))
        else:
            db.session.commit()
            flash("Canalización solicitada: espera la aprobación de una supervisora.", "exito")
            return redirect(url_for("expedientes.ver", caso_id=caso.id))
    return render_template("canalizaciones/nueva.html", caso=caso, formulario=formulario,
                           sin_destinos=not destinos)


@bp.route("/<uuid:canalizacion_id>")
@permiso("casos.consultar")
def ver(canalizacion_id: uuid.UUID):
    canalizacion = _canalizacion_o_404(canalizacion_id)
    quien = actor(current_user, duena_id=canalizacion.origen_id, receptora_id=canalizacion.destino_id)
    historia = db.session.scalars(select(HistorialTransicion).where(
        HistorialTransicion.entidad_id == canalizacion.id).order_by(HistorialTransicion.momento)).all()
    es_receptora = canalizacion.destino_id == current_user.institucion_id
    return render_template(
        "canalizaciones/ver.html", canalizacion=canalizacion, caso=canalizacion.caso,
        acciones=FLUJOS["canalizacion"].disponibles(canalizacion.estado, quien),
        formulario=FormularioRespuesta(), historia=historia, es_receptora=es_receptora,
        compartidos=set(canalizacion.datos_compartidos) if es_receptora else None, ahora=ahora(),
        estados=FLUJOS["canalizacion"].estados)


@bp.route("/<uuid:canalizacion_id>/responder", methods=["POST"])
@permiso("casos.registrar")
def responder(canalizacion_id: uuid.UUID):
    canalizacion = _canalizacion_o_404(canalizacion_id)
    formulario = FormularioRespuesta()
    formulario.validate_on_submit()  # CSRF is checked for every POST before the view runs
    ejecutar(lambda: servicios.responder(
        canalizacion, formulario.evento.data, current_user, version_vista=version_del_formulario(),
        motivo=formulario.motivo.data, servicios_prestados=formulario.servicios_prestados.data,
        nota=formulario.nota.data),
        lambda: f"Canalización actualizada: {FLUJOS['canalizacion'].estados[canalizacion.estado]}.")
    return redirect(url_for("canalizaciones.ver", canalizacion_id=canalizacion_id))
