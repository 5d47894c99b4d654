"""Login, logout, her own password and the activation link. The services audit what happens
(casos/cuentas/servicios.py: the login, a failure, a lockout, a password set); the views
commit through `casos.peticion.cambio`."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from casos.acceso import EN_SERVICIO, PUBLICA, permiso
from casos.avisos import reglas
from casos.avisos.reglas import CASO
from casos.cuentas import segundo_factor, servicios
from casos.cuentas.formularios import (
    FormularioAvisos,
    FormularioCambioContrasena,
    FormularioEntrada,
    FormularioNuevaContrasena,
    FormularioVacio,
)
from casos.cuentas.sesiones import purgar_caducadas, regenerar
from casos.cuentas.vistas_segundo_factor import iniciar_segundo_paso
from casos.extensiones import limiter
from casos.peticion import cambio

bp = Blueprint("cuentas", __name__)

CREDENCIALES_INCORRECTAS = "Correo o contraseña incorrectos."


def destino_seguro(destino: str | None) -> str | None:
    """A local path to return to after login, or None: never another host."""
    if not destino or not destino.startswith("/") or destino.startswith(("//", "/\\")):
        return None
    partes = urlsplit(destino)
    if partes.scheme or partes.netloc or any(c in destino for c in "\r\n\t"):
        return None
    return destino.rstrip("?") or None


def _limite_login() -> str:
    return current_app.config["LIMITE_LOGIN"]


def _clave_por_correo() -> str:
    correo = servicios.normalizar_correo(request.form.get("correo", ""))
    return "entrar-correo:" + hashlib.sha256(correo.encode()).hexdigest()


def _fallo(_respuesta) -> bool:
    """Only failed attempts count against the limits."""
    return g.get("intento_fallido", False)


@bp.route("/entrar", methods=["GET", "POST"])
@permiso(PUBLICA, cambio=EN_SERVICIO)  # the login, or a failure (and perhaps a lockout)
@limiter.limit(_limite_login, methods=["POST"], deduct_when=_fallo)
@limiter.limit(_limite_login, methods=["POST"], deduct_when=_fallo, key_func=_clave_por_correo)
def entrar():
    if current_user.is_authenticated:
        return redirect(url_for("inicio.inicio"))
    formulario = FormularioEntrada()
    if formulario.validate_on_submit():
        with cambio():
            # A failure is audited without the account: the trail must not confirm it exists.
            usuaria = servicios.autenticar(formulario.correo.data, formulario.contrasena.data,
                                           fallo="sesion.fallo")
            dos_pasos = usuaria is not None and (segundo_factor.obligatorio(usuaria)
                                                 or segundo_factor.activo(usuaria))
            if usuaria is not None and not dos_pasos:
                session.clear()
                regenerar(session)
                login_user(usuaria)
                servicios.registrar_exito(usuaria)  # "sesion.entrar", with the account
        if dos_pasos:
            return iniciar_segundo_paso(usuaria, destino_seguro(request.args.get("next")))
        if usuaria is not None:
            purgar_caducadas(current_app)  # anonymous login-page sessions must not pile up
            return redirect(destino_seguro(request.args.get("next")) or url_for("inicio.inicio"))
        # A locked account answers exactly as a wrong password or an unknown e-mail does.
        g.intento_fallido = True
        flash(CREDENCIALES_INCORRECTAS, "error")
    elif request.method == "POST":
        g.intento_fallido = True
    return render_template("cuentas/entrar.html", formulario=formulario)


@bp.route("/salir", methods=["POST"])
@permiso("cuenta.propia", cambio="sesion.salir")
def salir():
    if FormularioVacio().validate_on_submit():
        with cambio():  # her "sesion.salir", while she is still logged in
            pass
        logout_user()
        session.clear()
        regenerar(session)  # the old id must not live on, not even as an anonymous session
        flash("Cerró su sesión.", "info")
    return redirect(url_for("cuentas.entrar"))


def _clave_por_cuenta() -> str:
    return "contrasena-cuenta:" + str(current_user.get_id())


@bp.route("/cuenta/contrasena", methods=["GET", "POST"])
@permiso("cuenta.propia", cambio=EN_SERVICIO)  # changed, or a wrong current password
@limiter.limit(_limite_login, methods=["POST"], deduct_when=_fallo, key_func=_clave_por_cuenta)
def cambiar_contrasena():
    formulario = FormularioCambioContrasena()
    if formulario.validate_on_submit():
        try:
            with cambio() as hecho:
                # A stolen session must not guess the password here faster than at /entrar;
                # the failures count towards the lockout, and a locked account gets the same
                # answer.
                correcta = servicios.autenticar(current_user.correo, formulario.actual.data,
                                                fallo="contrasena.fallo") is not None
                if correcta:
                    regenerar(session)
                    servicios.cambiar_contrasena(current_user, formulario.nueva.data)
                    hecho.mensaje = "Contraseña cambiada. Sus otras sesiones se cerraron."
        except servicios.ContrasenaRechazada as error:  # nothing saved
            formulario.nueva.errors.extend(error.motivos)
        else:
            if correcta:
                return redirect(url_for("inicio.inicio"))
            g.intento_fallido = True
            formulario.actual.errors.append("La contraseña actual no es correcta.")
    return render_template("cuentas/contrasena.html", formulario=formulario)


@bp.route("/cuenta/avisos", methods=["GET", "POST"])
@permiso("cuenta.propia", cambio="cuenta.avisos")
def avisos():
    """How she receives staff e-mail: each warning as it happens or one summary a day."""
    formulario = FormularioAvisos(avisos=current_user.avisos)
    if formulario.validate_on_submit():
        with cambio("Listo: así recibirá los avisos por correo.") as hecho:
            servicios.elegir_avisos(current_user, formulario.avisos.data)
        if hecho.ok:
            return redirect(url_for("cuentas.avisos"))
    return render_template("cuentas/avisos.html", formulario=formulario,
                           recibe=current_user.rol in CASO, correo_activo=reglas.activo())


def _token_desconocido(respuesta) -> bool:
    return respuesta.status_code == 404


@bp.route("/activar/<token>", methods=["GET", "POST"])
@permiso(PUBLICA, cambio="contrasena.activar")  # the service names her account
@limiter.limit(_limite_login, deduct_when=_token_desconocido)
def activar(token: str):
    activacion = servicios.activacion_vigente(token)
    if activacion is None:
        abort(404)
    formulario = FormularioNuevaContrasena()
    if formulario.validate_on_submit():
        try:
            with cambio():
                servicios.usar_activacion(activacion, formulario.nueva.data)
        except servicios.ContrasenaRechazada as error:  # nothing saved
            formulario.nueva.errors.extend(error.motivos)
        else:
            if current_user.is_authenticated:
                logout_user()
            session.clear()
            flash("Contraseña establecida. Ya puede entrar.", "exito")
            return redirect(url_for("cuentas.entrar"))
    return render_template("cuentas/activar.html", formulario=formulario, token=token)
