"""Warnings a timer raises (`flask avisos vigilar`), each sent once to each person:

- a referral still unanswered AVISO_ESCALAR_HORAS after its deadline: the receiving
  institution's supervisoras; twice that long after it, the sending institution's too;
- a protection-order deadline (to issue it, the daily contact, its expiry) that passed or
  falls within the next AVISO_ORDEN_MINUTOS: the caseworker in charge of the case and her
  institution's supervisoras. The deadlines are Pendientes' own (casos/pendientes/).

Each warning carries a `clave` naming what it is about (ids and a date, never her data); the
outbox holds it unique per account, so running the timer again sends nothing twice.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, tuple_

from casos.avisos.modelos import CorreoSaliente
from casos.avisos.reglas import Aviso, personal
from casos.bd import ahora
from casos.extensiones import db

SIN_RESPUESTA_RECEPTORA = Aviso(
    "canalizacion_sin_respuesta", "Ruta Violeta: una canalización recibida sigue sin respuesta",
    "Su institución recibió una canalización cuyo plazo de respuesta ya venció y sigue sin responderla.",
    "/canalizaciones/", ("canalización recibida sin respuesta", "canalizaciones recibidas sin respuesta"))
SIN_RESPUESTA_ORIGEN = Aviso(
    "canalizacion_sin_respuesta", "Ruta Violeta: una canalización de su institución sigue sin respuesta",
    "La institución que recibió una canalización de la suya no la ha respondido, mucho después de su plazo. "
    "Valore comunicarse con ella o canalizar a otra.",
    "/canalizaciones/{id}", ("canalización enviada sin respuesta", "canalizaciones enviadas sin respuesta"))
PLAZO_DE_ORDEN = Aviso(
    "plazo_orden", "Ruta Violeta: vence o venció un plazo de una orden de protección",
    "Un plazo de una orden de protección (emitirla, el contacto diario o su vigencia) vence pronto o ya venció.",
    "/pendientes?tipo=orden", ("plazo de orden de protección", "plazos de órdenes de protección"))


def vigilar(momento: datetime | None = None) -> int:
    """Queue every warning due now that was not sent yet; returns how many were queued."""
    momento = momento or ahora()
    url = current_app.config["URL_PUBLICA"]
    nuevos = [*_canalizaciones(momento, url), *_ordenes(momento, url)]
    if nuevos:
        ya = set(db.session.execute(select(CorreoSaliente.usuaria_id, CorreoSaliente.clave).where(
            tuple_(CorreoSaliente.usuaria_id, CorreoSaliente.clave).in_([(c.usuaria_id, c.clave) for c in nuevos]))))
        nuevos = [c for c in nuevos if (c.usuaria_id, c.clave) not in ya]
        db.session.add_all(nuevos)
    db.session.commit()
    return len(nuevos)


def _canalizaciones(momento: datetime, url: str) -> list[CorreoSaliente]:
    from casos.canalizaciones.modelos import Canalizacion
    from casos.expedientes.modelos import Caso
    from flujos.canalizacion import EN_ESPERA_DE_RESPUESTA

    horas = timedelta(hours=float(current_app.config.get("AVISO_ESCALAR_HORAS", 24)))
    filas = db.session.execute(
        select(Canalizacion.id, Canalizacion.origen_id, Canalizacion.destino_id, Canalizacion.plazo_respuesta)
        .join(Caso, Caso.id == Canalizacion.caso_id)
        .where(Canalizacion.estado.in_(EN_ESPERA_DE_RESPUESTA), Canalizacion.plazo_respuesta < momento - horas,
               Caso.datos_eliminados_en.is_(None)))
    correos = []
    for fila in filas:
        for persona in personal(fila.destino_id, roles=("supervisora",)):
            correos.append(SIN_RESPUESTA_RECEPTORA.correo(persona, url, clave=f"canalizacion:{fila.id}:receptora"))
        if fila.plazo_respuesta < momento - 2 * horas:
            for persona in personal(fila.origen_id, roles=("supervisora",)):
                correos.append(SIN_RESPUESTA_ORIGEN.correo(persona, url, clave=f"canalizacion:{fila.id}:origen",
                                                           id=fila.id))
    return correos


def _ordenes(momento: datetime, url: str) -> list[CorreoSaliente]:
    from casos.cuentas.modelos import Institucion
    from casos.expedientes.modelos import Caso
    from casos.pendientes.servicios import calcular

    limite = momento + timedelta(minutes=float(current_app.config.get("AVISO_ORDEN_MINUTOS", 60)))
    correos = []
    for institucion_id in db.session.scalars(select(Institucion.id).where(Institucion.activa.is_(True))):
        plazos = [p for p in calcular(institucion_id, momento=momento) if p.clase == "orden" and p.vence <= limite]
        if not plazos:
            continue
        responsables = dict(db.session.execute(select(Caso.id, Caso.responsable_id).where(
            Caso.id.in_({p.caso_id for p in plazos}))).all())
        for plazo in plazos:
            # The deadline itself names the warning: a new deadline (the next daily contact) warns again.
            huella = hashlib.sha256(f"{plazo.tipo}|{plazo.vence.isoformat()}".encode()).hexdigest()[:16]
            for persona in personal(institucion_id, roles=("supervisora",), o_bien=responsables.get(plazo.caso_id)):
                correos.append(PLAZO_DE_ORDEN.correo(persona, url, clave=f"orden:{plazo.caso_id}:{huella}"))
    return correos
