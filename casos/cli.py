"""Commands for `flask --app wsgi …`. They call the same services as the views."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click
from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import select

from casos.bd import escritura
from casos.cripto import llavero
from casos.cuentas import servicios
from casos.cuentas.modelos import Institucion
from casos.cuentas.sesiones import purgar_caducadas
from casos.extensiones import db


def _escribe(comando):
    """CLI commands change data: their transactions take the write lock up front."""
    @functools.wraps(comando)
    def envoltura(*args, **kwargs):
        with escritura():
            return comando(*args, **kwargs)

    return envoltura


def _error(mensaje: str):
    click.secho(mensaje, fg="red", err=True)
    sys.exit(1)


@click.command("init")
@_escribe
def init():
    """Crea o actualiza el esquema con las migraciones; en desarrollo genera las claves."""
    upgrade()
    app = current_app
    ruta = Path(app.config["RUTA_CLAVES"])
    if app.config["ENTORNO"] == "produccion":
        llavero.cargar(ruta, exigir_produccion=True)
    elif llavero.crear(ruta, app.config["ENTORNO"]):
        click.echo(f"Claves de desarrollo creadas en {ruta} (0600).")
    click.echo("Base de datos al día.")


@click.command("crear-usuaria")
@click.option("--correo", required=True)
@click.option("--nombre", required=True)
@click.option("--rol", type=click.Choice(["capturista", "supervisora", "gestora", "admin"]),
              required=True)
@click.option("--institucion", "siglas", required=True, help="Siglas de la institución.")
@click.password_option("--contrasena", prompt="Contraseña",
                       confirmation_prompt="Repita la contraseña")
@_escribe
def crear_usuaria(correo, nombre, rol, siglas, contrasena):
    """Crea una cuenta (o informa que ya existe)."""
    institucion = db.session.scalar(select(Institucion).where(Institucion.siglas == siglas))
    if institucion is None:
        _error(f"No existe una institución con siglas {siglas!r}.")
    if servicios.buscar_por_correo(correo) is not None:
        click.echo("Esa cuenta ya existe; no se cambió nada.")
        return
    try:
        servicios.crear_usuaria(correo=correo, nombre=nombre, rol=rol, institucion=institucion,
                                contrasena=contrasena)
    except servicios.ContrasenaRechazada as error:
        db.session.rollback()
        _error("Contraseña rechazada: " + " ".join(error.motivos))
    db.session.commit()
    click.echo("Cuenta creada.")


@click.command("demo")
@_escribe
def demo():
    """Instituciones y cuentas de demostración (nunca en producción)."""
    if current_app.config["ENTORNO"] == "produccion":
        _error("«demo» no se ejecuta en producción: crearía cuentas con una contraseña pública.")
    from casos.demo import sembrar

    creadas = sembrar()
    click.echo(f"Datos de demostración listos ({creadas} cuentas nuevas).")


@click.command("purgar-sesiones")
def purgar_sesiones():
    """Borra las sesiones caducadas (para una tarea programada)."""
    click.echo(f"Sesiones borradas: {purgar_caducadas(current_app)}")


def registrar(app):
    for comando in (init, crear_usuaria, demo, purgar_sesiones):
        app.cli.add_command(comando)
