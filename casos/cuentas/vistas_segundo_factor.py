"""The second step of login (a TOTP code or a recovery code), enrolment, and her own settings.
The services audit what happens (casos/cuentas/servicios.py, segundo_factor.py); the views
commit through `casos.peticion.cambio`."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from casos.acceso import EN_SERVICIO, PUBLICA, permiso
from casos.bd import ahora
from casos.cuentas import segundo_factor, servicios
from casos.cuentas.modelos import Usuaria
from casos.cuentas.sesiones import purgar_caducadas, regenerar
from casos.extensiones import db, limiter
from casos.formularios import Formulario
from casos.peticion import cambio

bp = Blueprint("segundo_factor", __name__)

# Between the password and the code: long enough to open the app, short enough to matter.
VIGENCIA_PASO_PENDIENTE = timedelta(minutes=5)


class FormularioCodigo(Formulario):
    codigo = StringField("Código de 6 dígitos de su aplicación (o un código de recuperación)",
                         validators=[DataRequired("Escriba el código."), Length(max=20)],
                         render_kw={"autocomplete": "one-time-code", "inputmode": "numeric",
                                    "autofocus": True, "spellcheck": "false"})


def iniciar_segundo_paso(usuaria, siguiente: str | None):
    """Called by the login view once the password is right: nothing is logged in yet."""
    session.clear()
    regenerar(session)
    session["mfa_usuaria"] = str(usuaria.id)
    session["mfa_desde"] = ahora().isoformat()
    if siguiente:
        session["mfa_siguiente"] = siguiente
    endpoint = "segundo_factor.codigo" if segundo_factor.activo(usuaria) else "segundo_factor.alta"
    return redirect(url_for(endpoint))


def _pendiente() -> Usuaria | None:
    try:
        desde = datetime.fromisoformat(session["mfa_desde"])
        usuaria_id = uuid.UUID(session["mfa_usuaria"])
    except (KeyError, ValueError):
        return None
    if ahora() - desde > VIGENCIA_PASO_PENDIENTE:
        return None
    usuaria = db.session.get(Usuaria, usuaria_id)
    return usuaria if usuaria is not None and usuaria.activa and usuaria.institucion.activa else None


def _completar(usuaria, aviso: str | None = None):
    siguiente = session.get("mfa_siguiente")
    session.clear()
    regenerar(session)
    login_user(usuaria)
    if aviso:
        flash(aviso, "aviso")
    with cambio():
        usuaria.ultimo_acceso = ahora()
        servicios.registrar_exito(usuaria)  # "sesion.entrar", with the account
    purgar_caducadas(current_app)
    return redirect(siguiente or url_for("inicio.inicio"))


def _caducado():
    session.clear()
    flash("Pasaron más de 5 minutos o la sesión no es válida. Entre de nuevo con su contraseña.", "info")
    return redirect(url_for("cuentas.entrar"))


def _clave_cuenta_pendiente() -> str:
    identificador = session.get("mfa_usuaria", "") if current_user.is_anonymous else current_user.get_id()
    return "segundo-factor:" + hashlib.sha256(str(identificador).encode()).hexdigest()


def _limite() -> str:
    return current_app.config["LIMITE_LOGIN"]


def _fallo(_respuesta) -> bool:
    return g.get("intento_fallido", False)


@bp.route("/entrar/codigo", methods=["GET", "POST"])
@permiso(PUBLICA, cambio=EN_SERVICIO)  # the login, or a failure (and perhaps a lockout)
@limiter.limit(_limite, methods=["POST"], deduct_when=_fallo, key_func=_clave_cuenta_pendiente)
def codigo():
    usuaria = _pendiente()
    if usuaria is None:
        return _caducado()
    if not segundo_factor.activo(usuaria):
        return redirect(url_for("segundo_factor.alta"))
    formulario = FormularioCodigo()
    if formulario.validate_on_submit():
        escrito = formulario.codigo.data.strip()
        # Locked meanwhile (by failures here or at /entrar): any code gets the wrong-code answer.
        libre = usuaria.bloqueada_en is None
        if libre and segundo_factor.verificar_codigo(usuaria, escrito):
            return _completar(usuaria)
        if libre and not escrito.isdigit() and segundo_factor.usar_codigo_de_recuperacion(usuaria, escrito):
            return _completar(usuaria, "Entró con un código de recuperación: ya no sirve. Si perdió "
                                       "su teléfono, pida a la administración que restablezca su "
                                       "segundo factor.")
        db.session.rollback()
        g.intento_fallido = True
        with cambio():
            # Wrong codes count too: knowing the password must not allow endless code guessing.
            servicios.registrar_fallo(usuaria.correo, "sesion.fallo")
        formulario.codigo.errors.append("El código no es válido o ya se usó. Espere el siguiente.")
    return render_template("cuentas/codigo.html", formulario=formulario)


@bp.route("/entrar/alta-codigo", methods=["GET", "POST"])
@permiso(PUBLICA, cambio=EN_SERVICIO)  # a pending secret (no event), or the factor turned on
@limiter.limit(_limite, methods=["POST"], deduct_when=_fallo, key_func=_clave_cuenta_pendiente)
def alta():
    """Enrolment at login, for the roles that must have a second factor. A pending step whose
    account got locked meanwhile starts over: whoever holds it must not choose its factor."""
    usuaria = _pendiente()
    if usuaria is None or usuaria.bloqueada_en is not None:
        return _caducado()
    if segundo_factor.activo(usuaria):
        return redirect(url_for("segundo_factor.codigo"))
    return _pagina_de_alta(usuaria, al_terminar=lambda codigos: render_template(
        "cuentas/codigos_recuperacion.html", codigos=codigos, continuar=True))


@bp.route("/entrar/alta-codigo/continuar", methods=["POST"])
@permiso(PUBLICA, cambio="sesion.entrar")  # the service names her account
def continuar():
    """After she has copied her recovery codes: the login completes."""
    usuaria = _pendiente()
    if usuaria is None or not segundo_factor.activo(usuaria) or usuaria.bloqueada_en is not None:
        return _caducado()
    return _completar(usuaria)


def _pagina_de_alta(usuaria, al_terminar):
    """Enrolment: a POST makes the secret (never a GET: it changes state), the page shows it
    as a QR code, and a first good code turns the factor on."""
    formulario = FormularioCodigo()
    if request.method == "POST" and request.form.get("accion") == "generar":
        with cambio():
            segundo_factor.iniciar_alta(usuaria)
        formulario = FormularioCodigo(formdata=None)
    elif formulario.validate_on_submit():
        if segundo_factor.verificar_codigo(usuaria, formulario.codigo.data):
            with cambio():
                codigos = segundo_factor.activar(usuaria)  # audited: "cuenta.segundo_factor"
            return al_terminar(codigos)
        db.session.rollback()
        g.intento_fallido = True
        formulario.codigo.errors.append("El código no coincide. Revise la hora de su teléfono y "
                                        "escriba el código que muestra ahora.")
    # Kept while pending: she may have scanned it before reloading the page.
    valor = segundo_factor.secreto(usuaria)
    return render_template(
        "cuentas/alta_codigo.html", formulario=formulario, secreto=valor,
        qr=segundo_factor.qr_svg(segundo_factor.uri(usuaria, valor)) if valor else None,
        obligatorio=segundo_factor.obligatorio(usuaria))


@bp.route("/cuenta/segundo-factor", methods=["GET", "POST"])
@permiso("cuenta.propia", cambio=EN_SERVICIO)  # a pending secret (no event), enrolled, or renewed
def propio():
    """Her own second factor: enrol (optional for a capturista) or renew recovery codes."""
    if segundo_factor.activo(current_user):
        if request.method == "POST" and Formulario().validate_on_submit():
            with cambio():
                codigos = segundo_factor.renovar_codigos(current_user)  # audited
            return render_template("cuentas/codigos_recuperacion.html", codigos=codigos,
                                   continuar=False)
        return render_template("cuentas/segundo_factor.html", vacio=Formulario())
    return _pagina_de_alta(current_user, al_terminar=lambda codigos: render_template(
        "cuentas/codigos_recuperacion.html", codigos=codigos, continuar=False))
