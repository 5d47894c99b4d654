"""ARCO requests, for the admin as every institution's transparency officer: the list, the
registration, each request's page and its moves. The request comes through its scoped loader
(casos/acceso/objetos.py `solicitud_arco`); every change is made and audited by
casos/arco/servicios.py and committed through `casos.peticion.cambio`."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from casos.acceso import EJERCER_RECTIFICACION, EN_SERVICIO, LEER, TRAMITAR, permiso
from casos.arco import rectificacion, servicios
from casos.arco.formularios import ELIJA, FormularioRectificacion, FormularioSolicitudArco
from casos.bd import hoy_local
from casos.catalogos import REPRESENTACIONES_ARCO, TIPOS_INSTITUCION
from casos.cuentas.formularios import FormularioVacio
from casos.formularios import opciones
from casos.peticion import cambio, uuid_o_none, version_del_formulario
from casos.transiciones.servicios import historia_de
from flujos import FLUJOS
from flujos.arco import ABIERTAS, CON_IDENTIDAD, EJERCIBLE, QUE_VENCE

bp = Blueprint("arco", __name__, url_prefix="/arco")
FLUJO = FLUJOS["solicitud_arco"]


@bp.route("/")
@permiso("arco.tramitar")  # rights, states, dates and institutions: no personal data
def lista():
    todas = request.args.get("ver") == "todas"
    return render_template("arco/lista.html", solicitudes=servicios.lista(abiertas=not todas), todas=todas,
                           hoy=hoy_local(), estados=FLUJO.estados, ABIERTAS=ABIERTAS)


@bp.route("/nueva", methods=["GET", "POST"])
@permiso("arco.tramitar", cambio=EN_SERVICIO)
def nueva():
    formulario = FormularioSolicitudArco()
    formulario.institucion_id.choices = opciones(ELIJA + [(i.id, i.nombre) for i in servicios.instituciones_activas()])
    if formulario.validate_on_submit():
        datos = servicios.DatosSolicitud(
            institucion_id=uuid_o_none(formulario.institucion_id.data),
            caso_id=uuid_o_none((formulario.caso_id.data or "").strip()),
            derecho=formulario.derecho.data, recibida_el=formulario.recibida_el.data,
            medio=formulario.medio.data, presentada_por=formulario.presentada_por.data,
            identificacion=formulario.identificacion.data, descripcion=formulario.descripcion.data or "",
            folio=formulario.folio.data)
        errores = servicios.errores_de_registro(datos, usuaria=current_user)
        for nombre, mensaje in errores.items():
            getattr(formulario, nombre).errors.append(mensaje)
        if not errores:
            with cambio("Solicitud ARCO registrada. Acredite la identidad de quien la presentó antes de "
                        "darle cualquier dato.", campo=formulario.derecho) as hecho:
                solicitud = servicios.registrar(current_user, datos)
            if hecho.ok:
                return redirect(url_for("arco.ver", solicitud_arco_id=solicitud.id))
    return render_template("arco/nueva.html", formulario=formulario)


@bp.route("/<uuid:solicitud_arco_id>")
@permiso("arco.tramitar", solicitud_arco_id=LEER, lectura="arco.ver")
def ver(solicitud_arco):
    """The request's own fields always; what the system holds of the case only once the
    identity of whoever asks was accredited (she may be the aggressor)."""
    hoy = hoy_local()
    con_identidad = solicitud_arco.estado in CON_IDENTIDAD
    return render_template(
        "arco/ver.html", solicitud=solicitud_arco, estados=FLUJO.estados, suceso=FLUJO.suceso,
        acciones=servicios.disponibles(solicitud_arco, current_user),
        eliminado=solicitud_arco.caso.datos_eliminados, bloqueado=servicios.bloqueado(solicitud_arco.caso),
        del_caso=servicios.del_caso(solicitud_arco) if con_identidad else None,
        historia=historia_de(solicitud_arco), hoy=hoy, dias_para=lambda dia: servicios.dias_para(dia, hoy),
        que_vence=QUE_VENCE.get(solicitud_arco.estado),
        ejercible=solicitud_arco.estado in EJERCIBLE.get(solicitud_arco.derecho, ()),
        lecturas=servicios.lecturas_de(solicitud_arco, current_user),
        oposiciones=servicios.oposiciones_de(solicitud_arco),
        REPRESENTACIONES_ARCO=REPRESENTACIONES_ARCO, TIPOS_INSTITUCION=TIPOS_INSTITUCION)


@bp.route("/<uuid:solicitud_arco_id>/mover", methods=["POST"])
@permiso("arco.tramitar", solicitud_arco_id=TRAMITAR, cambio=EN_SERVICIO)
def mover(solicitud_arco):
    formulario = request.form
    datos = servicios.DatosMovimiento(
        motivo=(formulario.get("motivo") or "").strip()[:2000] or None,
        causal=formulario.get("causal") or None, representacion=formulario.get("representacion") or None,
        cotejo=formulario.get("cotejo") == "y", identidad_notas=(formulario.get("identidad_notas") or "")[:2000],
        respuesta=(formulario.get("respuesta") or "")[:2000], confirmacion=formulario.get("confirmacion") == "y",
        tipos_institucion=tuple(dict.fromkeys(formulario.getlist("tipos_institucion"))))
    with cambio(lambda: f"Solicitud ARCO: {FLUJO.estados[solicitud_arco.estado].lower()}."):
        servicios.mover(solicitud_arco, formulario.get("evento", ""), current_user,
                        version_vista=version_del_formulario(), datos=datos)
    return redirect(url_for("arco.ver", solicitud_arco_id=solicitud_arco.id))


@bp.route("/<uuid:solicitud_arco_id>/lectura", methods=["POST"])
@permiso("arco.tramitar", solicitud_arco_id=LEER, cambio=EN_SERVICIO)
def pedir_lectura(solicitud_arco):
    """Its case is blocked: ask the admin for a read, as the case's own staff do."""
    if FormularioVacio().validate_on_submit():
        with cambio("Lectura pedida: cuando el administrador la autorice, podrá atender la solicitud."):
            servicios.pedir_lectura(solicitud_arco, current_user)
    else:
        flash("El formulario venció; vuelva a intentarlo.", "error")
    return redirect(url_for("arco.ver", solicitud_arco_id=solicitud_arco.id))


@bp.route("/<uuid:solicitud_arco_id>/rectificar", methods=["GET", "POST"])
@permiso("arco.tramitar", solicitud_arco_id=EJERCER_RECTIFICACION, lectura="arco.rectificacion.ver",
         cambio=EN_SERVICIO)
def rectificar(solicitud_arco):
    """Her corrected data: the form, then a confirmation with each change's before and after
    (shown, never stored in plaintext), then the save."""
    victima = solicitud_arco.caso.victima
    formulario = FormularioRectificacion(data=rectificacion.actuales(victima) | {"version": solicitud_arco.version})
    pagina = url_for("arco.ver", solicitud_arco_id=solicitud_arco.id)
    if formulario.validate_on_submit():
        diferencias = rectificacion.cambios(victima, formulario.nuevos())
        if formulario.confirmar.data == "corregir":
            pass  # back from the confirmation: the form again, with what she typed
        elif not diferencias:
            formulario.nombre.errors.append("No cambió ningún dato: corrija al menos uno, o vuelva a la solicitud.")
        elif formulario.confirmar.data == "y":
            with cambio("Datos rectificados y solicitud hecha efectiva.", campo=formulario.nombre) as hecho:
                rectificacion.rectificar(solicitud_arco, current_user, formulario.nuevos(),
                                         version_vista=version_del_formulario())
            if hecho.ok:
                return redirect(pagina)
        else:
            return render_template("arco/rectificar_confirmar.html", solicitud=solicitud_arco, formulario=formulario,
                                   diferencias=diferencias, CAMPOS=rectificacion.CAMPOS,
                                   como_texto=rectificacion.como_texto)
    return render_template("arco/rectificar.html", solicitud=solicitud_arco, formulario=formulario, volver=pagina)
