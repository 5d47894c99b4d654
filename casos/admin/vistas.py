"""The admin's pages: institutions and accounts. Every change is made, and audited with its
object, by a service (casos/cuentas/servicios.py, segundo_factor.py), and committed through
`casos.peticion.cambio`."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from casos.acceso import ADMINISTRAR, EN_SERVICIO, permiso
from casos.admin.formularios import FormularioCuenta, FormularioInstitucion
from casos.cuentas import segundo_factor, servicios
from casos.cuentas.formularios import FormularioVacio
from casos.cuentas.modelos import Institucion, Usuaria
from casos.extensiones import db
from casos.formularios import opciones
from casos.peticion import cambio

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _instituciones():
    return db.session.scalars(select(Institucion).order_by(Institucion.nombre)).all()


@bp.route("/")
@permiso("administracion")
def panel():
    conteos = {
        "instituciones": db.session.scalar(select(func.count()).select_from(Institucion)),
        "cuentas": db.session.scalar(select(func.count()).select_from(Usuaria)),
        "activas": db.session.scalar(select(func.count()).select_from(Usuaria).where(Usuaria.activa)),
    }
    return render_template("admin/panel.html", conteos=conteos)


def _supervisoras_activas(*condiciones) -> dict[uuid.UUID, int]:
    """Per institution, the supervisoras who can approve today: active, not locked, and who
    have set their password (an account still waiting for its activation link approves nothing)."""
    return dict(db.session.execute(
        select(Usuaria.institucion_id, func.count())
        .where(Usuaria.rol == "supervisora", Usuaria.activa.is_(True),
               Usuaria.bloqueada_en.is_(None), Usuaria.contrasena_hash.is_not(None), *condiciones)
        .group_by(Usuaria.institucion_id)).all())


def aviso_supervisoras(cuantas: int, sujeto: str = "Esta institución") -> str | None:
    """Four eyes: a supervisora never approves her own request, so an institution needs two."""
    if cuantas >= 2:
        return None
    if cuantas == 0:
        return (f"{sujeto} no tiene ninguna supervisora activa: nadie puede aprobar las "
                "canalizaciones, los cierres de caso ni las bajas de nivel de riesgo que "
                "solicite su personal. Registre al menos dos.")
    return (f"{sujeto} tiene 1 supervisora activa: las solicitudes que ella haga no pueden "
            "aprobarse, porque solo otra supervisora puede hacerlo. Registre al menos dos.")


@bp.route("/instituciones")
@permiso("administracion")
def instituciones():
    lista = _instituciones()
    supervisoras = _supervisoras_activas()
    # An inactive institution makes no requests: nothing to warn about.
    avisos = {i.id: aviso_supervisoras(supervisoras.get(i.id, 0), i.nombre) for i in lista if i.activa}
    return render_template("admin/instituciones.html", instituciones=lista,
                           supervisoras=supervisoras, avisos={k: v for k, v in avisos.items() if v})


@bp.route("/instituciones/nueva", methods=["GET", "POST"])
@bp.route("/instituciones/<uuid:institucion_id>", methods=["GET", "POST"])
@permiso("administracion", cambio=EN_SERVICIO, institucion_id=ADMINISTRAR)  # created, edited or deactivated
def institucion(institucion: Institucion | None):
    existente = institucion
    formulario = FormularioInstitucion(obj=existente)
    aviso = None
    if existente is not None and existente.activa:
        aviso = aviso_supervisoras(
            _supervisoras_activas(Usuaria.institucion_id == existente.id).get(existente.id, 0))

    def pagina():
        return render_template("admin/institucion.html", formulario=formulario,
                               existente=existente, aviso=aviso)

    if formulario.validate_on_submit():
        desactivada = existente is not None and existente.activa and not formulario.activa.data
        if desactivada and existente.id == current_user.institucion_id:
            # Her accounts could no longer enter: she would lock herself out, as she would by
            # deactivating her own account.
            formulario.activa.errors.append("No puede desactivar la institución de su propia cuenta.")
            return pagina()
        for campo, texto in ((formulario.nombre, "ese nombre"), (formulario.siglas, "esas siglas")):
            otra = db.session.scalar(select(Institucion.id).where(
                getattr(Institucion, campo.name) == campo.data.strip(),
                Institucion.id != (existente.id if existente else None)))
            if otra is not None:
                campo.errors.append(f"Ya existe una institución con {texto}.")
        if formulario.nombre.errors or formulario.siglas.errors:
            return pagina()
        try:
            with cambio("Institución guardada.") as hecho:
                servicios.guardar_institucion(
                    existente, nombre=formulario.nombre.data, siglas=formulario.siglas.data,
                    tipo=formulario.tipo.data, municipio=formulario.municipio.data,
                    activa=formulario.activa.data)
        except IntegrityError:  # another admin saved the same name at the same moment
            db.session.rollback()
            formulario.nombre.errors.append("Ya existe una institución con ese nombre o siglas.")
        if hecho.ok:
            return redirect(url_for("admin.instituciones"))
    return pagina()


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
@permiso("administracion", cambio="cuenta.crear")  # the service names the account
def cuenta_nueva():
    formulario = _formulario_cuenta(None)
    if formulario.validate_on_submit():
        if servicios.buscar_por_correo(formulario.correo.data) is not None:
            formulario.correo.errors.append("Ya existe una cuenta con ese correo.")
        else:
            institucion = db.session.get(Institucion, uuid.UUID(formulario.institucion_id.data))
            with cambio() as hecho:
                usuaria = servicios.alta_de_cuenta(
                    correo=formulario.correo.data, nombre=formulario.nombre.data,
                    rol=formulario.rol.data, institucion=institucion)
                token = servicios.crear_activacion(usuaria)
            if hecho.ok:
                return render_template("admin/activacion.html", usuaria=usuaria,
                                       enlace=url_for("cuentas.activar", token=token, _external=True))
    return render_template("admin/cuenta.html", formulario=formulario, existente=None)


@bp.route("/cuentas/<uuid:usuaria_id>", methods=["GET", "POST"])
@permiso("administracion", cambio=EN_SERVICIO, usuaria_id=ADMINISTRAR)  # edited or deactivated
def cuenta(usuaria: Usuaria):
    existente = usuaria
    formulario = _formulario_cuenta(existente)
    formulario.correo.render_kw = {"readonly": True}
    if formulario.validate_on_submit():
        es_ella = existente.id == current_user.id
        if es_ella and not formulario.activa.data:
            formulario.activa.errors.append("No puede desactivar su propia cuenta.")
        elif es_ella and formulario.rol.data != existente.rol:
            formulario.rol.errors.append("No puede cambiar su propio rol.")
        else:
            with cambio("Cuenta guardada.") as hecho:
                servicios.actualizar_usuaria(
                    existente, nombre=formulario.nombre.data, rol=formulario.rol.data,
                    institucion_id=uuid.UUID(formulario.institucion_id.data),
                    activa=formulario.activa.data)
            if hecho.ok:
                return redirect(url_for("admin.cuentas"))
    return render_template("admin/cuenta.html", formulario=formulario, existente=existente,
                           vacio=FormularioVacio())


@bp.route("/cuentas/<uuid:usuaria_id>/activacion", methods=["POST"])
@permiso("administracion", cambio="cuenta.activacion", usuaria_id=ADMINISTRAR)  # the service names the account
def nueva_activacion(usuaria: Usuaria):
    """For a forgotten password: the old one stops working and every session ends."""
    if not FormularioVacio().validate_on_submit():
        abort(400)
    if usuaria.id == current_user.id:
        flash("Para su propia cuenta use «Cambiar contraseña».", "error")
        return redirect(url_for("admin.cuenta", usuaria_id=usuaria.id))
    with cambio():
        token = servicios.restablecer_contrasena(usuaria)
    return render_template("admin/activacion.html", usuaria=usuaria,
                           enlace=url_for("cuentas.activar", token=token, _external=True))


@bp.route("/cuentas/<uuid:usuaria_id>/segundo-factor", methods=["POST"])
@permiso("administracion", cambio="cuenta.segundo_factor", usuaria_id=ADMINISTRAR)  # the service names the account
def restablecer_segundo_factor(usuaria: Usuaria):
    """Lost phone: her second factor is reset and she enrols again at her next login. The
    admin never sees nor sets a secret, and cannot reset her own (another admin must)."""
    if not FormularioVacio().validate_on_submit():
        abort(400)
    if usuaria.id == current_user.id:
        flash("Otra persona administradora debe restablecer su segundo factor.", "error")
    else:
        with cambio("Segundo factor restablecido: lo activará de nuevo al entrar. Sus sesiones se cerraron."):
            segundo_factor.restablecer(usuaria)
    return redirect(url_for("admin.cuenta", usuaria_id=usuaria.id))


@bp.route("/cuentas/<uuid:usuaria_id>/desbloquear", methods=["POST"])
@permiso("administracion", cambio="cuenta.desbloquear", usuaria_id=ADMINISTRAR)  # the service names the account
def desbloquear(usuaria: Usuaria):
    """Lockout after repeated failed logins ends only here (or with a new activation link)."""
    if not FormularioVacio().validate_on_submit():
        abort(400)
    if usuaria.id == current_user.id:
        # A stolen session that locked its own account must not undo the lock.
        flash("Otra persona administradora debe desbloquear su cuenta.", "error")
    elif usuaria.bloqueada_en is not None:
        with cambio("Cuenta desbloqueada: puede entrar de nuevo."):
            servicios.desbloquear(usuaria)
    return redirect(url_for("admin.cuenta", usuaria_id=usuaria.id))
