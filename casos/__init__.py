"""Ruta Violeta: the Flask application."""

from __future__ import annotations

from flask import Flask

import config as configuracion


def create_app(config=None) -> Flask:
    """Build the app. `config` is a settings object or a dict of overrides for tests."""
    app = Flask(
        __name__,
        template_folder=str(configuracion.RAIZ / "plantillas"),
        static_folder="estaticos",
        instance_path=str(configuracion.INSTANCIA),
    )
    if isinstance(config, dict):
        app.config.from_object(configuracion.Pruebas())
        app.config.update(config)
    else:
        app.config.from_object(config or configuracion.desde_entorno())

    if app.config.get("PROXIES_DE_CONFIANZA"):
        # Behind N trusted proxies, the client's address and scheme come from their headers:
        # without it every client is the proxy, and one per-IP login limit blocks everyone.
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["PROXIES_DE_CONFIANZA"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    from casos import registro

    registro.extensiones(app)
    registro.sesiones(app)
    registro.blueprints(app)
    registro.control_de_acceso(app)
    registro.errores(app)
    registro.cabeceras(app)
    registro.plantillas(app)
    registro.cli(app)
    registro.avisos(app)
    return app
