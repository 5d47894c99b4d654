"""Roots: a seal over every chain's head, itself chained, written by `flask auditoria sellar`.

A root says "chain c had reached eslabon n, whose HMAC was h" for every chain at once, and
covers the previous root's HMAC, under the audit key. Deleting the last events of a chain
leaves that chain verifying on its own; the next root that named a later eslabon tells.
The heads are read without locks: each is a committed event, which is all a root claims, so
sealing never makes an appender wait. Events appended after the last root can still be cut
undetected unless a root or head was exported elsewhere: seal often (a timer, each minute).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from casos.auditoria.formato import GENESIS, cabezas_canonicas, hmac_de_raiz
from casos.auditoria.modelos import CabezaAuditoria, RaizAuditoria
from casos.bd import ahora, escritura
from casos.cripto import llavero_actual
from casos.extensiones import db

_RAIZ = RaizAuditoria.__table__
_CABEZA = CabezaAuditoria.__table__
INTENTOS = 3  # two `sellar` at once: the second retries over the first's root


@dataclass(frozen=True)
class Raiz:
    numero: int
    hmac: str
    momento: datetime | None = None
    cabezas: str = "[]"


def cabezas_guardadas() -> list[tuple[int, int, str]]:
    return [tuple(fila) for fila in db.session.execute(
        select(_CABEZA.c.cadena, _CABEZA.c.eslabon, _CABEZA.c.hmac).order_by(_CABEZA.c.cadena))]


def ultima() -> Raiz | None:
    fila = db.session.execute(select(_RAIZ).order_by(_RAIZ.c.numero.desc()).limit(1)).mappings().first()
    return Raiz(fila["numero"], fila["hmac"], fila["momento"], fila["cabezas"]) if fila else None


def sellar() -> Raiz:
    """Write the next root over the heads as they are now, and commit it."""
    clave = llavero_actual().auditoria
    for intento in range(INTENTOS):
        db.session.rollback()  # so the transaction below begins inside escritura()
        try:
            with escritura():
                anterior = ultima()
                numero = anterior.numero + 1 if anterior else 1
                cabezas = cabezas_canonicas(cabezas_guardadas())
                momento = ahora()
                valor = hmac_de_raiz(numero, momento, cabezas, anterior.hmac if anterior else GENESIS, clave)
                db.session.execute(insert(_RAIZ).values(numero=numero, momento=momento,
                                                        cabezas=cabezas, hmac=valor))
                db.session.commit()
                return Raiz(numero, valor, momento, cabezas)
        except IntegrityError:
            db.session.rollback()
            if intento == INTENTOS - 1:
                raise
    raise AssertionError("no alcanzable")
