"""Field encryption: master keys, per-case data keys, blind indexes.

The key file is read once per process and re-read when a ciphertext names a master-key
version this process has not seen (another process rotated the keys meanwhile).
"""

from __future__ import annotations

from flask import current_app

from casos.cripto.llavero import Llavero, cargar


def llavero_actual(*, recargar: bool = False) -> Llavero:
    app = current_app
    if recargar or "llavero" not in app.extensions:
        app.extensions["llavero"] = cargar(
            app.config["RUTA_CLAVES"], exigir_produccion=app.config["ENTORNO"] == "produccion")
    return app.extensions["llavero"]
