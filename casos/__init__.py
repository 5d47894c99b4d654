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

    from casos import registro

    registro.extensiones(app)
    registro.sesiones(app)
    registro.blueprints(app)
    registro.control_de_acceso(app)
    registro.errores(app)
    registro.cabeceras(app)
    registro.plantillas(app)
    registro.cli(app)
    return app
