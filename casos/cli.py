"""Commands for `flask --app wsgi …`. They call the same services as the views."""

from __future__ import annotations

import functools
import os
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
    app = current_app
    ruta = Path(app.config["RUTA_CLAVES"])
    if app.config["ENTORNO"] == "produccion":
        # Refuse with the reason, not a traceback, and before touching the schema.
        try:
            llavero.cargar(ruta, exigir_produccion=True)
        except llavero.LlaveroInvalido as error:
            _error(str(error))
    elif llavero.crear(ruta, app.config["ENTORNO"]):
        click.echo(f"Claves de desarrollo creadas en {ruta} (0600).")
    upgrade(revision="heads")  # every branch: features land migrations in parallel
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
        servicios.alta_de_cuenta(correo=correo, nombre=nombre, rol=rol, institucion=institucion,
                                 contrasena=contrasena)  # audited: "cuenta.crear", origen "cli"
    except servicios.ContrasenaRechazada as error:
        db.session.rollback()
        _error("Contraseña rechazada: " + " ".join(error.motivos))
    db.session.commit()
    click.echo("Cuenta creada.")


@click.command("demo")
@click.option("--casos", "cantidad", default=0, type=click.IntRange(min=0),
              help="Además, N casos sintéticos cifrados como los reales.")
@click.option("--semilla", default=2026, show_default=True, help="Semilla de los datos sintéticos.")
@click.option("--procesos", default=os.cpu_count() or 1, type=click.IntRange(min=1),
              help="Procesos que siembran a la vez (PostgreSQL; por omisión, uno por CPU).")
@_escribe
def demo(cantidad, semilla, procesos):
    """Instituciones y cuentas de demostración (nunca en producción)."""
    if current_app.config["ENTORNO"] == "produccion":
        _error("«demo» no se ejecuta en producción: crearía cuentas con una contraseña pública.")
    from casos.demo import sembrar

    creadas = sembrar()
    click.echo(f"Datos de demostración listos ({creadas} cuentas nuevas).")
    if cantidad:
        from tqdm import tqdm

        from casos.demo_casos import (
            actualizar_estadisticas_del_planificador,
            casos_existentes,
            procesos_utiles,
            sembrar_en_paralelo,
        )

        # "At least N cases": running it twice does not double them.
        existentes = casos_existentes()
        faltan = cantidad - existentes
        procesos = procesos_utiles(faltan, procesos)
        db.session.commit()  # no transaction of ours stays open while the processes write
        with tqdm(total=max(faltan, 0), unit="casos", desc="Casos sintéticos", smoothing=0.1) as barra:
            if faltan > 0:
                sembrar_en_paralelo(faltan, procesos=procesos, semilla=semilla + existentes,
                                    configuracion=dict(current_app.config), al_avanzar=barra.update)
        if faltan > 0:
            actualizar_estadisticas_del_planificador()
        click.echo(f"Hay {casos_existentes()} casos de demostración.")
        from casos.demo_jornada import resumen, vivir

        # Once: referrals, orders, approvals, services and due dates over those cases.
        if vivir(semilla):
            click.echo("Jornada de trabajo de demostración sembrada:")
        else:
            click.echo("La jornada de trabajo de demostración ya existía; no se cambió:")
        for linea in resumen():  # counts only, never a name
            click.echo("  " + linea)


@click.command("purgar-sesiones")
def purgar_sesiones():
    """Borra las sesiones caducadas (para una tarea programada)."""
    click.echo(f"Sesiones borradas: {purgar_caducadas(current_app)}")


def registrar(app):
    for comando in (init, crear_usuaria, demo, purgar_sesiones):
        app.cli.add_command(comando)
