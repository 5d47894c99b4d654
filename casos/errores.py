"""Error pages in Spanish that reveal nothing internal (no trace, SQL, path or version)."""

import traceback

from flask import flash, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from casos.acceso.objetos import Rechazo
from casos.cripto.campos import DatosBloqueados, DatosEliminados
from casos.extensiones import db

MENSAJES = {
    400: ("Solicitud no válida", "No pudimos procesar la solicitud. Revise los datos e intente de nuevo."),
    403: ("Acceso denegado", "Su cuenta no tiene permiso para esta acción."),
    404: ("No encontrado", "La página que busca no existe o no está disponible para su cuenta."),
    405: ("Método no permitido", "Esta dirección no acepta esa acción."),
    410: ("Datos eliminados", "Los datos personales de este caso fueron eliminados. "
                              "Solo se conservan sus datos estadísticos."),
    423: ("Caso bloqueado", "Este caso está bloqueado por el plazo de conservación: solo se lee con una "
                            "lectura que el administrador autorice."),
    413: ("Datos demasiado grandes", "Lo que envió excede el tamaño permitido."),
    429: ("Demasiados intentos", "Hizo demasiados intentos en poco tiempo. Espere un minuto e intente de nuevo."),
    500: ("Error del sistema", "Ocurrió un error. No se guardó ningún cambio parcial; intente de nuevo."),
}


def _pagina(codigo: int, detalle: str | None = None, enlace: tuple[str, str] | None = None):
    titulo, mensaje = MENSAJES.get(codigo, MENSAJES[500])
    if request.accept_mimetypes.best == "application/json":
        return {"error": titulo, "mensaje": detalle or mensaje}, codigo
    return render_template("error.html", codigo=codigo, titulo=titulo,
                           mensaje=detalle or mensaje, enlace=enlace), codigo


def registrar(app):
    @app.errorhandler(CSRFError)
    def csrf_invalido(_error):
        return _pagina(400, "El formulario caducó o no es válido. Vuelva a la página, "
                            "recárguela y envíe de nuevo.")

    @app.errorhandler(Rechazo)
    def rechazado(error):
        # Seen but not allowed this way: a form goes back to the object's page and says why;
        # a page answers 403 with the reason.
        db.session.rollback()
        if request.method not in ("GET", "HEAD") and error.volver:
            flash(error.mensaje, "error")
            return redirect(error.volver)
        return _pagina(error.codigo, error.mensaje, error.enlace)

    @app.errorhandler(DatosBloqueados)
    def bloqueado(_error):
        # A page that would have decrypted a blocked case it did not reach through an
        # authorized read (casos/expedientes/modelos.py `Caso.dek`): nothing of her is shown.
        db.session.rollback()
        return _pagina(423)

    @app.errorhandler(DatosEliminados)
    def eliminado(_error):
        # Erased by an admin while she worked: never a 500, never a partial save.
        db.session.rollback()
        return _pagina(410)

    @app.errorhandler(HTTPException)
    def http(error):
        return _pagina(error.code if error.code in MENSAJES else 500)

    @app.errorhandler(Exception)
    def inesperado(error):
        db.session.rollback()
        # Where it failed (type and frames), not the message: a message can quote a value
        # someone typed (a name, a CURP), and logs carry no personal data.
        app.logger.error("Error no controlado en %s: %s\n%s", request.endpoint,
                         type(error).__name__, "".join(traceback.format_tb(error.__traceback__)))
        return _pagina(500)
