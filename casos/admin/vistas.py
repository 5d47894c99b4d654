from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from casos import auditoria
from casos.acceso import permiso
from casos.admin.formularios import FormularioCuenta, FormularioInstitucion
from casos.cuentas import segundo_factor, servicios
from casos.cuentas.formularios import FormularioVacio
from casos.cuentas.modelos import Institucion, Usuaria
from casos.cuentas.sesiones import revocar_sesiones
from casos.extensiones import db
from casos.formularios import opciones

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _instituciones():
    return db.session.scalars(select(Institucion).order_by(Institucion.nombre)).all()


def _o_404(modelo, identificador):
    objeto = db.session.get(modelo, identificador)
    if objeto is None:
        abort(404)
    return objeto


@bp.route("/")
@permiso("administracion")
def panel():
    conteos = {
        "instituciones": db.session.scalar(select(func.count()).select_from(Institucion)),
        "cuentas": db.session.scalar(select(func.count()).select_from(Usuaria)),
        "activas": db.session.scalar(select(func.count()).select_from(Usuaria).where(Usuaria.activa)),
    }
    return render_template("admin/panel.html", conteos=conteos)


@bp.route("/instituciones")
@permiso("administracion")
def instituciones():
    return render_template("admin/instituciones.html", instituciones=_instituciones())


@bp.route("/instituciones/nueva", methods=["GET", "POST"])
@bp.route("/instituciones/<uuid:institucion_id>", methods=["GET", "POST"])
@permiso("administracion")
def institucion(institucion_id: uuid.UUID | None = None):
    existente = _o_404(Institucion, institucion_id) if institucion_id else None
    formulario = FormularioInstitucion(obj=existente)
    if formulario.validate_on_submit():
        objeto = existente or Institucion()
        desactivada = existente is not None and existente.activa and not formulario.activa.data
        if desactivada and existente.id == current_user.institucion_id:
            # Her accounts could no longer enter: she would lock herself out, as she would by
            # deactivating her own account.
            formulario.activa.errors.append("No puede desactivar la institución de su propia cuenta.")
            return render_template("admin/institucion.html", formulario=formulario,
                                   existente=existente)
        for campo, texto in ((formulario.nombre, "ese nombre"), (formulario.siglas, "esas siglas")):
            otra = db.session.scalar(select(Institucion.id).where(
                getattr(Institucion, campo.name) == campo.data.strip(),
                Institucion.id != (existente.id if existente else None)))
            if otra is not None:
                campo.errors.append(f"Ya existe una institución con {texto}.")
        if formulario.nombre.errors or formulario.siglas.errors:
            return render_template("admin/institucion.html", formulario=formulario,
                                   existente=existente)
        formulario.populate_obj(objeto)
        db.session.add(objeto)
        try:
            db.session.flush()
        except IntegrityError:  # another admin saved the same name at the same moment
            db.session.rollback()
            formulario.nombre.errors.append("Ya existe una institución con ese nombre o siglas.")
        else:
            if desactivada:
                for cuenta in objeto.usuarias:
                    revocar_sesiones(cuenta.id)
            accion = ("institucion.desactivar" if desactivada
                      else "institucion.editar" if existente else "institucion.crear")
            auditoria.registrar(accion, objeto_id=objeto.id)
            db.session.commit()
            flash("Institución guardada.", "exito")
            return redirect(url_for("admin.instituciones"))
    return render_template("admin/institucion.html", formulario=formulario, existente=existente)


@bp.route("/cuentas")
@permiso("administracion")
def cuentas():
    filas = db.session.scalars(
        select(Usuaria).join(Usuaria.institucion).order_by(Institucion.nombre, Usuaria.correo)).all()
    return render_template("admin/cuentas.html", cuentas=filas)


def _formulario_cuenta(existente: Usuaria | None) -> FormularioCuenta:
    formulario = FormularioCuenta(obj=existente)
    formulario.institucion_id.choices = opciones(
        (i.id, i.nombre) for i in _instituciones()
        if i.activa or (existente and i.id == existente.institucion_id))
    if existente is not None and not formulario.is_submitted():
        formulario.institucion_id.data = str(existente.institucion_id)
    return formulario


@bp.route("/cuentas/nueva", methods=["GET", "POST"])
@permiso("administracion")
def cuenta_nueva():
    formulario = _formulario_cuenta(None)
    if formulario.validate_on_submit():
        if servicios.buscar_por_correo(formulario.correo.data) is not None:
            formulario.correo.errors.append("Ya existe una cuenta con ese correo.")
        else:
            institucion = db.session.get(Institucion, uuid.UUID(formulario.institucion_id.data))
            usuaria = servicios.crear_usuaria(
                correo=formulario.correo.data, nombre=formulario.nombre.data,
                rol=formulario.rol.data, institucion=institucion)
            token = servicios.crear_activacion(usuaria)
            auditoria.registrar("cuenta.crear", objeto_id=usuaria.id)
            db.session.commit()
            return render_template("admin/activacion.html", usuaria=usuaria,
                                   enlace=url_for("cuentas.activar", token=token, _external=True))
    return render_template("admin/cuenta.html", formulario=formulario, existente=None)


@bp.route("/cuentas/<uuid:usuaria_id>", methods=["GET", "POST"])
@permiso("administracion")
def cuenta(usuaria_id: uuid.UUID):
    existente = _o_404(Usuaria, usuaria_id)
    formulario = _formulario_cuenta(existente)
    formulario.correo.render_kw = {"readonly": True}
    if formulario.validate_on_submit():
        es_ella = existente.id == current_user.id
        if es_ella and not formulario.activa.data:
            formulario.activa.errors.append("No puede desactivar su propia cuenta.")
        elif es_ella and formulario.rol.data != existente.rol:
            formulario.rol.errors.append("No puede cambiar su propio rol.")
        else:
            desactiva = existente.activa and not formulario.activa.data
            accion = "cuenta.desactivar" if desactiva else "cuenta.editar"
            servicios.actualizar_usuaria(
                existente, nombre=formulario.nombre.data, rol=formulario.rol.data,
                institucion_id=uuid.UUID(formulario.institucion_id.data),
                activa=formulario.activa.data)
            auditoria.registrar(accion, objeto_id=existente.id)
            db.session.commit()
            flash("Cuenta guardada.", "exito")
            return redirect(url_for("admin.cuentas"))
    return render_template("admin/cuenta.html", formulario=formulario, existente=existente,
                           vacio=FormularioVacio())


@bp.route("/cuentas/<uuid:usuaria_id>/activacion", methods=["POST"])
@permiso("administracion")
def nueva_activacion(usuaria_id: uuid.UUID):
    """For a forgotten password: the old one stops working and every session ends."""
    usuaria = _o_404(Usuaria, usuaria_id)
    if not FormularioVacio().validate_on_submit():
        abort(400)
    if usuaria.id == current_user.id:
        flash("Para su propia cuenta use «Cambiar contraseña».", "error")
        return redirect(url_for("admin.cuenta", usuaria_id=usuaria.id))
    usuaria.contrasena_hash = None
    revocar_sesiones(usuaria.id)
    token = servicios.crear_activacion(usuaria)
    auditoria.registrar("cuenta.activacion", objeto_id=usuaria.id)
    db.session.commit()
    return render_template("admin/activacion.html", usuaria=usuaria,
                           enlace=url_for("cuentas.activar", token=token, _external=True))


@bp.route("/cuentas/<uuid:usuaria_id>/segundo-factor", methods=["POST"])
@permiso("administracion")
def restablecer_segundo_factor(usuaria_id: uuid.UUID):
    """Lost phone: her second factor is reset and she enrols again at her next login. The
    admin never sees nor sets a secret, and cannot reset her own (another admin must)."""
    usuaria = _o_404(Usuaria, usuaria_id)
    if not FormularioVacio().validate_on_submit():
        abort(400)
    if usuaria.id == current_user.id:
        flash("Otra persona administradora debe restablecer su segundo factor.", "error")
    else:
        segundo_factor.restablecer(usuaria)
        auditoria.registrar("cuenta.segundo_factor", objeto_id=usuaria.id)
        db.session.commit()
        flash("Segundo factor restablecido: lo activará de nuevo al entrar. Sus sesiones se cerraron.",
              "exito")
    return redirect(url_for("admin.cuenta", usuaria_id=usuaria.id))


@bp.route("/cuentas/<uuid:usuaria_id>/desbloquear", methods=["POST"])
@permiso("administracion")
def desbloquear(usuaria_id: uuid.UUID):
    """Lockout after repeated failed logins ends only here (or with a new activation link)."""
    usuaria = _o_404(Usuaria, usuaria_id)
    if not FormularioVacio().validate_on_submit():
        abort(400)
    if usuaria.id == current_user.id:
        # A stolen session that locked its own account must not undo the lock.
        flash("Otra persona administradora debe desbloquear su cuenta.", "error")
    elif usuaria.bloqueada_en is not None:
        servicios.desbloquear(usuaria)
        auditoria.registrar("cuenta.desbloquear", objeto_id=usuaria.id)
        db.session.commit()
        flash("Cuenta desbloqueada: puede entrar de nuevo.", "exito")
    return redirect(url_for("admin.cuenta", usuaria_id=usuaria.id))
