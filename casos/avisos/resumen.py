"""The daily summary (`flask avisos resumen`, for a timer once a day): for each person who
chose "resumen", the warnings waiting for her folded into one e-mail of counts by kind, with
one link. The folded rows are marked sent: each reaches her once, in one summary."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update

from casos.avisos import vigilancia
from casos.avisos.modelos import CorreoSaliente
from casos.avisos.reglas import PIE, POR_APROBAR, RECIBIDA, RESPUESTAS
from casos.bd import ahora
from casos.extensiones import db

TIPO = "resumen"
ASUNTO = "Ruta Violeta: su resumen del día"
# One line per kind: "3 canalizaciones recibidas por su institución".
LINEAS = {aviso.tipo: aviso.resumen for aviso in (
    RECIBIDA, POR_APROBAR, *RESPUESTAS.values(), vigilancia.SIN_RESPUESTA_RECEPTORA, vigilancia.PLAZO_DE_ORDEN)}


def cuerpo(cuantos: Counter, url_publica: str) -> str:
    lineas = []
    for tipo, numero in sorted(cuantos.items()):
        singular, plural = LINEAS.get(tipo, ("aviso", "avisos"))
        lineas.append(f"- {numero} {singular if numero == 1 else plural}")
    return ("Desde su último resumen en Ruta Violeta:\n\n" + "\n".join(lineas)
            + f"\n\nPara verlo, entre con su cuenta:\n{url_publica.rstrip('/')}/\n\n{PIE}\n")


def resumir(momento: datetime | None = None) -> int:
    """Fold what waits for each person into one summary; returns how many were queued."""
    momento = momento or ahora()
    url = current_app.config["URL_PUBLICA"]
    filas = db.session.execute(select(CorreoSaliente.id, CorreoSaliente.usuaria_id, CorreoSaliente.tipo).where(
        CorreoSaliente.en_resumen.is_(True), CorreoSaliente.enviado_en.is_(None))).all()
    por_persona: dict = defaultdict(list)
    for fila in filas:
        por_persona[fila.usuaria_id].append(fila)
    for usuaria_id, suyas in por_persona.items():
        db.session.add(CorreoSaliente(usuaria_id=usuaria_id, tipo=TIPO, asunto=ASUNTO,
                                      cuerpo=cuerpo(Counter(f.tipo for f in suyas), url)))
        db.session.execute(update(CorreoSaliente).where(CorreoSaliente.id.in_([f.id for f in suyas]),
                                                        CorreoSaliente.enviado_en.is_(None))
                           .values(enviado_en=momento))
    db.session.commit()
    return len(por_persona)
