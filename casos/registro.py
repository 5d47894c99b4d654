"""The steps of create_app, one small function each."""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo

from flask import Flask, abort, flash, redirect, request, session, url_for
from flask_login import current_user

from casos import acceso, bd
from casos.extensiones import csrf, db, limiter, login_manager, migrate
from config import RAIZ

CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


def extensiones(app: Flask) -> None:
    import casos.modelos  # noqa: F401 - register every table before Alembic or a query needs it

    db.init_app(app)
    migrate.init_app(app, db, directory=str(RAIZ / "migrations"), render_as_batch=True,
                    render_item=bd.renderizar_tipo)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "cuentas.entrar"
    login_manager.login_message = "Entre con su cuenta para continuar."
    login_manager.login_message_category = "info"
    with app.app_context():
        bd.configurar_motor(db.engine)
    if not getattr(db.session, "_auditoria_registrada", False):  # one process, several apps in tests
        from sqlalchemy import event

        from casos.auditoria.servicios import descartar_pendientes, escribir_pendientes

        event.listen(db.session, "before_commit", escribir_pendientes)
        event.listen(db.session, "after_rollback", descartar_pendientes)
        bd.vigilar_escrituras(db.session)
        db.session._auditoria_registrada = True

    from casos.cuentas.modelos import Usuaria

    @login_manager.user_loader
    def cargar_usuaria(usuaria_id: str):
        try:
            identificador = uuid.UUID(usuaria_id)
        except ValueError:
            return None
        usuaria = db.session.get(Usuaria, identificador)
        if usuaria is None or not usuaria.activa or not usuaria.institucion.activa:
            return None
        return usuaria

    @login_manager.unauthorized_handler
    def no_autenticada():
        from casos.cuentas.vistas import destino_seguro

        caducada = session.pop("_caducada", None)
        if caducada == "inactividad":
            flash("Su sesión terminó por inactividad. Entre de nuevo.", "info")
        elif caducada == "maxima":
            flash("Su sesión llegó a su duración máxima de 12 horas. Entre de nuevo.", "info")
        else:
            flash(login_manager.login_message, "info")
        siguiente = destino_seguro(request.full_path if request.method == "GET" else None)
        return redirect(url_for("cuentas.entrar", next=siguiente) if siguiente
                        else url_for("cuentas.entrar"))


def sesiones(app: Flask) -> None:
    from casos.cuentas.sesiones import InterfazSesionServidor

    app.session_interface = InterfazSesionServidor()


def blueprints(app: Flask) -> None:
    from casos import estadisticas
    from casos.adjuntos.vistas import bp as adjuntos
    from casos.admin.vistas import bp as admin
    from casos.arco.vistas import bp as arco
    from casos.atenciones.vistas import bp as atenciones
    from casos.auditoria.vistas import bp as auditoria
    from casos.canalizaciones.vistas import bp as canalizaciones
    from casos.conservacion.vistas import bp as conservacion
    from casos.cuentas.vistas import bp as cuentas
    from casos.cuentas.vistas_segundo_factor import bp as segundo_factor
    from casos.expedientes.vistas import bp as expedientes
    from casos.impresos.vistas import bp as impresos
    from casos.inicio import bp as inicio
    from casos.ordenes.vistas import bp as ordenes
    from casos.pendientes.vistas import bp as pendientes
    from casos.salud import bp as salud
    from casos.transiciones.vistas import bp as flujo

    for blueprint in (cuentas, segundo_factor, inicio, expedientes, canalizaciones, ordenes, atenciones, adjuntos,
                      impresos, flujo, pendientes, admin, arco, conservacion, auditoria, salud):
        app.register_blueprint(blueprint)
    estadisticas.registrar(app)


def control_de_acceso(app: Flask) -> None:
    def consulta_legible():
        # Werkzeug decodes the raw query string strictly: a byte that is not UTF-8 (browsers
        # percent-encode, a crafted request need not) made every view reading it answer 500.
        try:
            request.query_string.decode()
        except UnicodeDecodeError:
            abort(400)

    def sin_caracteres_nulos():
        # A NUL byte is no one's name, e-mail or reason, and PostgreSQL refuses it in text
        # (a 500 wherever a form reached a query): refused up front, for every form.
        if any("\x00" in valor for valores in (request.args, request.form)
               for valor in valores.values()):
            abort(400)

    # First of all hooks: the others (limiter, access control) may read the query string.
    app.before_request_funcs.setdefault(None, []).insert(0, consulta_legible)
    app.before_request_funcs[None].insert(1, sin_caracteres_nulos)

    @app.before_request
    def tipo_de_transaccion():
        bd.marcar_peticion_de_escritura(request.method)

    app.before_request(acceso.verificar)


def errores(app: Flask) -> None:
    from casos.errores import registrar

    registrar(app)


def cabeceras(app: Flask) -> None:
    @app.after_request
    def poner_cabeceras(respuesta):
        cabeceras = respuesta.headers
        cabeceras.setdefault("Content-Security-Policy", CSP)
        cabeceras["X-Content-Type-Options"] = "nosniff"
        cabeceras["Referrer-Policy"] = "no-referrer"
        cabeceras["X-Frame-Options"] = "DENY"
        cabeceras["Cross-Origin-Opener-Policy"] = "same-origin"
        cabeceras["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if app.config["HSTS"]:
            cabeceras["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        if current_user.is_authenticated or request.endpoint != "static":
            # Case pages must not survive in a shared computer's cache or history.
            cabeceras["Cache-Control"] = "no-store"
        return respuesta


def plantillas(app: Flask) -> None:
    from casos import catalogos
    from casos.auditoria.acciones import ACCIONES
    from casos.expedientes.listado import ESTADOS, ORDENES, POR_PAGINA
    from flujos.aprobacion import PROPUESTA
    from flujos.canalizacion import EN_ESPERA_DE_RESPUESTA
    from flujos.orden_proteccion import VIGENTES

    zona = ZoneInfo(app.config["ZONA_HORARIA"])

    def fecha_local(valor, formato="%d/%m/%Y %H:%M"):
        return "" if valor is None else valor.astimezone(zona).strftime(formato)

    app.jinja_env.filters["fecha_local"] = fecha_local
    def etiquetas(claves, catalogo, separador=", "):
        """Labels of catalogue keys, in the catalogue's order (the same on every engine)."""
        claves = set(claves)
        return separador.join([v for k, v in catalogo.items() if k in claves]
                              + sorted(c for c in claves if c not in catalogo))

    app.jinja_env.filters["etiquetas"] = etiquetas

    def tamano(octetos: int) -> str:
        """A file's size as people read it: "350 KB", "2.4 MB"."""
        if octetos < 1024 * 1024:
            return f"{max(1, round(octetos / 1024))} KB"
        return f"{octetos / (1024 * 1024):.1f} MB"

    app.jinja_env.filters["tamano"] = tamano
    # Every catalogue (upper-case names in casos/catalogos.py) is available to templates.
    app.jinja_env.globals.update(
        {nombre: valor for nombre, valor in vars(catalogos).items()
         if nombre.isupper() and isinstance(valor, (dict, tuple, frozenset))},
        municipios=catalogos.municipios, opciones_municipio=catalogos.opciones_municipio,
        tipos_atencion=catalogos.tipos_atencion,
        ESTADOS_CASO=ESTADOS, ORDENES=ORDENES, POR_PAGINA=POR_PAGINA,
        puede=acceso.puede,
        # Workflow states are named in flujos/ alone; templates test membership of its sets.
        EN_ESPERA_DE_RESPUESTA=EN_ESPERA_DE_RESPUESTA, PROPUESTA=PROPUESTA, ORDENES_VIGENTES=VIGENTES,
        # Every workflow move named in Spanish, as the audit pages name it.
        ACCIONES=ACCIONES,
    )

    @app.context_processor
    def contexto():
        # One "now" per page, so every deadline on it is compared with the same instant.
        return {"demo": app.config["DEMO"], "entorno": app.config["ENTORNO"], "ahora": bd.ahora()}


def cli(app: Flask) -> None:
    from casos.auditoria.cli import auditoria
    from casos.cli import registrar
    from casos.conservacion.cli import conservacion
    from casos.cripto.cli import claves
    from casos.pendientes.cli import comando as pendientes

    registrar(app)
    app.cli.add_command(claves)
    app.cli.add_command(auditoria)
    app.cli.add_command(pendientes)
    app.cli.add_command(conservacion)


def avisos(app: Flask) -> None:
    """E-mail to staff (casos/avisos/): off until SMTP_SERVIDOR and URL_PUBLICA are set."""
    from casos import avisos

    avisos.registrar(app)
