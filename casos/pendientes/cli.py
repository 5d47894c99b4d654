"""`flask --app wsgi pendientes`: the scheduled job's report, per institution, without names."""

from __future__ import annotations

import json
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import click
from flask import current_app
from sqlalchemy import select

from casos.bd import ahora, escritura
from casos.cuentas.modelos import Institucion
from casos.extensiones import db
from casos.ordenes import servicios as ordenes
from casos.pendientes.servicios import calcular


@click.command("pendientes")
@click.option("--vencer", is_flag=True, help="Además marca como vencidas las órdenes caducadas.")
def comando(vencer: bool):
    """Imprime lo vencido y por vencer de cada institución (sin datos personales)."""
    if vencer:
        with escritura():
            sistema = SimpleNamespace(id=None, rol="sistema", institucion_id=None)
            cuantas = ordenes.vencer_caducadas(sistema)
            db.session.commit()
        click.echo(f"Órdenes marcadas como vencidas: {cuantas}")
    momento, zona = ahora(), ZoneInfo(current_app.config["ZONA_HORARIA"])
    for institucion in db.session.scalars(select(Institucion).where(Institucion.activa.is_(True))
                                          .order_by(Institucion.siglas)):
        items = calcular(institucion.id, momento=momento)
        atrasados = sum(p.atrasado(momento) for p in items)
        click.echo(f"{institucion.siglas}: {atrasados} atrasados, {len(items) - atrasados} por vencer")
        for p in items:
            click.echo("  " + json.dumps({
                "estado": "atrasado" if p.atrasado(momento) else "por_vencer", "tipo": p.tipo,
                "vence": p.vence.astimezone(zona).isoformat(timespec="minutes"),
                "caso": str(p.caso_id)}, ensure_ascii=False))

