"""`flask --app wsgi claves …`: master-key rotation and retirement. The services audit them
(casos/cripto/rotacion.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from tqdm import tqdm

from casos.cripto import llavero, llavero_actual, rotacion

claves = AppGroup("claves", help="Claves maestras: rotación y retiro.")


@claves.command("rotar")
@click.option("--lote", default=5000, show_default=True, help="Claves de datos por transacción.")
def rotar(lote: int):
    """Añade una versión de la clave maestra y re-envuelve todas las claves de datos.

    Si una rotación anterior quedó a medias, la continúa en lugar de añadir otra versión."""
    ruta = Path(current_app.config["RUTA_CLAVES"])
    activa = llavero_actual(recargar=True).activa
    if rotacion.pendientes(activa):
        click.echo(f"Continuando la rotación pendiente hacia la versión {activa}.")
    else:
        activa = llavero.agregar_version(ruta)
        click.echo(f"Nueva clave maestra activa: versión {activa}.")
    total = rotacion.pendientes(llavero_actual(recargar=True).activa)
    with tqdm(total=total, unit="claves", desc="Re-envolviendo", disable=not total) as barra:
        hechas = rotacion.reenvolver(lote, barra.update)  # audited once complete, resumed or not
    click.echo(f"Listo: {hechas} claves de datos re-envueltas con la versión {activa}.")


@claves.command("retirar")
@click.argument("version", type=int)
def retirar(version: int):
    """Borra una versión antigua de la clave maestra cuando ya nada la usa."""
    usos = rotacion.en_uso(version)
    if usos:
        click.secho(f"La versión {version} todavía protege {usos} claves de datos; "
                    "ejecute «claves rotar» primero.", fg="red", err=True)
        sys.exit(1)
    try:
        rotacion.retirar(Path(current_app.config["RUTA_CLAVES"]), version)
    except llavero.LlaveroInvalido as error:
        click.secho(str(error), fg="red", err=True)
        sys.exit(1)
    click.echo(f"Versión {version} retirada del archivo de claves.")
