from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from casos import auditoria
from casos.acceso import caso_visible_o_404, permiso
from casos.bd import ahora, hoy_local
from casos.catalogos import NIVELES_RIESGO
from casos.cuentas.formularios import FormularioVacio
from casos.expedientes import listado, pagina_de_caso, servicios
from casos.expedientes.curp import fecha_de_nacimiento
from casos.expedientes.formularios import (
    FormularioBusqueda,
    FormularioEliminacion,
    FormularioIntake,
    formulario_valoracion,
)
from casos.expedientes.modelos import Caso
from casos.expedientes.riesgo import instrumento
from casos.extensiones import db, limiter

bp = Blueprint("expedientes", __name__, url_prefix="/casos")


@bp.route("/")
@permiso("casos.consultar")
def lista():
    auditoria.registrar_consulta("casos.listar")  # the list shows decrypted names
    filtros = listado.Filtros.de_consulta(request.args)
    pagina = listado.pagina(current_user, filtros)
    return render_template("expedientes/lista.html", pagina=pagina, filtros=filtros,
                           filas=listado.filas(pagina.casos, ahora()),
                           busqueda=FormularioBusqueda(),
                           borradores=servicios.borradores_de(current_user))


@bp.route("/buscar", methods=["POST"])
@permiso("casos.consultar")
@limiter.limit("30 per minute")
def buscar():
    """POST, not GET: a CURP or a name must never travel in a URL (logs, history)."""
    formulario = FormularioBusqueda()
    resultados = None
    if formulario.validate_on_submit():
        # Committed first, so the results are not expired by the commit; never the term.
        auditoria.registrar("busqueda")
        db.session.commit()
        resultados = servicios.buscar(current_user, formulario.texto.data)
    return render_template("expedientes/busqueda.html", busqueda=formulario,
                           resultados=resultados)


def _datos_de(formulario: FormularioIntake) -> servicios.DatosIntake:
    f = formulario
    return servicios.DatosIntake(
        nombre=f.nombre.data.strip(), municipio=f.municipio.data, curp=f.curp.data or None,
        fecha_nacimiento=f.fecha_nacimiento.data, edad_aproximada=f.edad_aproximada.data,
        telefono=f.telefono.data or None, domicilio=f.domicilio.data or None,
        lengua_indigena=f.lengua_indigena.data or None, discapacidad=f.discapacidad.data or None,
        nacionalidad=f.nacionalidad.data or None,
        # `or ""`: a field missing from the POST (not a browser's) has data None, not "".
        nna=[servicios.DatosNna((n.nombre.data or "").strip(), n.edad.data, n.violencia_directa.data)
             for n in f.nna if not n.form.vacio()],
        agresores=[servicios.DatosAgresor((a.nombre.data or "").strip() or None, a.relacion.data,
                                          a.vive_con_ella.data, a.acceso_armas.data)
                   for a in f.agresores],
        fecha_hechos=f.fecha_hechos.data, municipio_hechos=f.municipio_hechos.data or None,
        lugar_hechos=f.lugar_hechos.data or None, narrativa=f.narrativa.data,
        tipos=f.tipos.data, modalidades=f.modalidades.data,
        autoriza_canalizar=f.autoriza_canalizar.data, tipos_institucion=f.tipos_institucion.data,
        datos_compartibles=f.datos_compartibles.data,
        consentimiento_hasta=f.consentimiento_hasta.data,
        contacto_seguro={k: v for k, v in {
            "telefono": f.telefono_seguro.data, "horario": f.horario_seguro.data,
            "nunca_casa": f.nunca_llamar_casa.data, "persona_confianza": f.persona_confianza.data,
            "indicaciones": f.indicaciones_contacto.data}.items() if v},
    )


def _datos_de_formulario() -> dict:
    """The raw form as typed, for the draft: even invalid values are kept, nothing is lost."""
    return {k: v for k, v in request.form.to_dict(flat=False).items() if k != "csrf_token"}


def _algo_escrito() -> bool:
    """A blank form submitted by mistake is not worth a draft."""
    return any((request.form.get(campo) or "").strip()
               for campo in ("nombre", "curp", "telefono", "domicilio", "narrativa", "lugar_hechos"))


def _borrador_id(valor: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(valor) if valor else None
    except ValueError:
        return None


@bp.route("/nuevo", methods=["GET", "POST"])
@permiso("casos.registrar")
def nuevo():
    if request.method == "GET" and request.args.get("borrador"):
        borrador = servicios.borrador_de(current_user, _borrador_id(request.args["borrador"]))
        if borrador is None:
            abort(404)
        auditoria.registrar_consulta("borrador.abrir", objeto_id=borrador.id)
        formulario = FormularioIntake(formdata=MultiDict(
            [(k, v) for k, valores in borrador.datos.items() for v in valores]))
        formulario.borrador_id.data = str(borrador.id)
        return render_template("expedientes/nuevo.html", formulario=formulario, duplicados=[])
    formulario = FormularioIntake()
    if formulario.validate_on_submit():
        caso = servicios.registrar_caso(current_user, _datos_de(formulario))
        borrador = servicios.borrador_de(current_user, _borrador_id(formulario.borrador_id.data))
        if borrador is not None:
            servicios.descartar_borrador(borrador)
        auditoria.registrar("caso.registrar", caso_id=caso.id)
        db.session.commit()
        flash("Caso registrado. Ahora valore el riesgo.", "exito")
        return redirect(url_for("expedientes.valoracion", caso_id=caso.id))
    duplicados = []
    if request.method == "POST":
        if formulario.csrf_token.errors:
            abort(400)
        if _algo_escrito():
            borrador = servicios.guardar_borrador(
                current_user, _borrador_id(formulario.borrador_id.data), _datos_de_formulario())
            auditoria.registrar("borrador.guardar", objeto_id=borrador.id)
            db.session.commit()
            formulario.borrador_id.data = str(borrador.id)
            flash("Lo que escribió quedó guardado como borrador.", "info")
    return render_template("expedientes/nuevo.html", formulario=formulario, duplicados=duplicados)


@bp.route("/borradores/guardar", methods=["POST"])
@permiso("casos.registrar")
def guardar_borrador():
    """Autosave from the intake page (casos/estaticos/borrador.js)."""
    if not FormularioVacio().validate_on_submit():
        abort(400)
    borrador = servicios.guardar_borrador(
        current_user, _borrador_id(request.form.get("borrador_id")), _datos_de_formulario())
    auditoria.registrar("borrador.guardar", objeto_id=borrador.id)
    db.session.commit()
    return jsonify(borrador_id=str(borrador.id),
                   guardado=borrador.actualizado_en.isoformat())


@bp.route("/borradores/<uuid:borrador_id>/descartar", methods=["POST"])
@permiso("casos.registrar")
def descartar_borrador(borrador_id: uuid.UUID):
    borrador = servicios.borrador_de(current_user, borrador_id)
    if borrador is None:
        abort(404)
    if FormularioVacio().validate_on_submit():
        servicios.descartar_borrador(borrador)
        auditoria.registrar("borrador.descartar", objeto_id=borrador_id)
        db.session.commit()
        flash("Borrador descartado.", "info")
    return redirect(url_for("expedientes.lista"))


@bp.route("/duplicados", methods=["POST"])
@permiso("casos.registrar")
@limiter.limit("30 per minute")  # which institution holds a CURP is itself sensitive
def duplicados():
    """Asked by the intake page when the CURP or the name and birth date are filled in."""
    if not FormularioVacio().validate_on_submit():
        abort(400)
    formulario = FormularioIntake()
    formulario.validate()
    curp = formulario.curp.data if formulario.curp.data and not formulario.curp.errors else None
    nacimiento = formulario.fecha_nacimiento.data or (fecha_de_nacimiento(curp) if curp else None)
    instituciones = servicios.posibles_duplicados(curp, formulario.nombre.data, nacimiento)
    auditoria.registrar("duplicados.consultar")
    db.session.commit()
    return jsonify(instituciones=instituciones)


@bp.route("/<uuid:caso_id>")
@permiso("casos.consultar")
def ver(caso_id: uuid.UUID):
    # The one-to-one rows in the case's own query; the rest after the audit event
    # (pagina_de_caso.py says how, and why so).
    caso = caso_visible_o_404(current_user, caso_id, joinedload(Caso.victima),
                              joinedload(Caso.consentimiento))
    auditoria.registrar_consulta("caso.ver", caso_id=caso.id)  # before anything is decrypted
    # `ahora` comes from the context processor (casos/registro.py): one instant per page.
    return render_template("expedientes/caso.html", caso=caso, instrumento=instrumento(),
                           hoy=hoy_local(), **pagina_de_caso.contexto(caso, current_user))


@bp.route("/<uuid:caso_id>/valoracion", methods=["GET", "POST"])
@permiso("casos.registrar")
def valoracion(caso_id: uuid.UUID):
    caso = caso_visible_o_404(current_user, caso_id)
    if caso.datos_eliminados:
        abort(404)
    if request.method == "GET":
        auditoria.registrar_consulta("caso.ver", caso_id=caso.id)  # the page shows her name
    formulario = formulario_valoracion()()
    if formulario.validate_on_submit():
        respuestas = {i.clave: getattr(formulario, f"r_{i.clave}").data
                      for i in instrumento().indicadores}
        try:
            registrada = servicios.registrar_valoracion(
                caso, current_user, respuestas, formulario.nivel.data or None, formulario.motivo.data)
        except ValueError as error:
            campo = formulario.motivo if "motivo" in str(error) else formulario.nivel
            campo.errors.append(str(error))
        else:
            auditoria.registrar("valoracion.registrar", caso_id=caso.id)
            db.session.commit()
            if registrada.estado == "por_aprobar":
                flash(f"Valoración registrada. El nivel propuesto ({NIVELES_RIESGO[registrada.nivel]}) "
                      "espera la aprobación de una supervisora; mientras tanto el caso queda en "
                      f"{NIVELES_RIESGO[registrada.nivel_calculado]}.", "aviso")
            else:
                flash(f"Valoración registrada: riesgo {NIVELES_RIESGO[registrada.nivel].lower()}.",
                      "aviso" if caso.urgente else "exito")
            return redirect(url_for("expedientes.ver", caso_id=caso.id))
    return render_template("expedientes/valoracion.html", caso=caso, formulario=formulario,
                           instrumento=instrumento())


@bp.route("/<uuid:caso_id>/consentimiento/revocar", methods=["POST"])
@permiso("casos.registrar")
def revocar_consentimiento(caso_id: uuid.UUID):
    caso = caso_visible_o_404(current_user, caso_id)
    if caso.institucion_id != current_user.institucion_id:
        abort(403)  # only the owning institution records what the woman decided
    if FormularioVacio().validate_on_submit():
        servicios.revocar_consentimiento(caso)
        auditoria.registrar("consentimiento.revocar", caso_id=caso.id)
        db.session.commit()
        flash("Consentimiento revocado: el caso ya no se compartirá con otras instituciones.", "exito")
    return redirect(url_for("expedientes.ver", caso_id=caso.id))


@bp.route("/eliminar-datos", methods=["GET", "POST"])
@permiso("datos.eliminar")
def eliminar_datos():
    """Crypto-shredding by case id (ARCO cancellation, retention expiry). The admin never
    sees the case: she types the id she was given and the legal ground."""
    formulario = FormularioEliminacion()
    if formulario.validate_on_submit():
        caso = db.session.get(Caso, _borrador_id(formulario.caso_id.data.strip()))
        if caso is None:
            formulario.caso_id.errors.append("No existe un caso con ese identificador.")
        elif caso.datos_eliminados:
            formulario.caso_id.errors.append("Los datos personales de ese caso ya fueron eliminados.")
        else:
            servicios.eliminar_datos_personales(caso)
            auditoria.registrar("datos.eliminar", caso_id=caso.id, motivo=formulario.motivo.data)
            db.session.commit()
            flash("Datos personales eliminados. Las cifras estadísticas del caso se conservan.", "exito")
            return redirect(url_for("expedientes.eliminar_datos"))
    return render_template("expedientes/eliminar_datos.html", formulario=formulario)
