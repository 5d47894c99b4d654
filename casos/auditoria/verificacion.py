"""Verifying the trail: every chain link by link, every root, and the heads kept elsewhere.

Each chain is walked in eslabon order from 1: a gap is a deleted event, a wrong HMAC a changed,
moved or substituted one. A chain's stored head row, the last root's entry for it and an
exported head must all be events of the chain: when the last events of a chain were deleted,
the chain itself still looks whole, and only one of those tells that something is missing.
Roots are checked first (numbered from 1, each HMAC over its heads and the previous root's):
they are what the tail checks trust. Nothing here writes.
"""

from __future__ import annotations

import hmac
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import distinct, select

from casos.auditoria.formato import GENESIS, calcular_hmac, hmac_de_raiz, texto, version_de
from casos.auditoria.modelos import EventoAuditoria, RaizAuditoria
from casos.auditoria.raices import Raiz, cabezas_guardadas, ultima
from casos.cripto import llavero_actual
from casos.extensiones import db

_EVENTO = EventoAuditoria.__table__
_RAIZ = RaizAuditoria.__table__


@dataclass(frozen=True)
class Cabeza:
    """A chain's last link: eslabon 0 and the genesis value for an empty chain."""

    cadena: int
    eslabon: int
    hmac: str
    momento: datetime | None = None


def _hex64(valor) -> bool:
    return isinstance(valor, str) and len(valor) == 64 and all(c in "0123456789abcdefABCDEF" for c in valor)


def _entero(valor) -> bool:
    return isinstance(valor, int) and not isinstance(valor, bool) and valor >= 0


@dataclass(frozen=True)
class Exportada:
    """What `auditoria cabeza` prints: every chain's head and the latest root."""

    cabezas: tuple[Cabeza, ...]
    raiz: Raiz | None = None

    def como_json(self) -> str:
        return json.dumps({
            "cabezas": [{"cadena": c.cadena, "eslabon": c.eslabon, "hmac": c.hmac} for c in self.cabezas],
            "raiz": self.raiz and {"numero": self.raiz.numero, "hmac": self.raiz.hmac,
                                   "momento": texto(self.raiz.momento)},
        }, ensure_ascii=True)

    @classmethod
    def de_json(cls, entrada: str) -> Exportada:
        """Also the single chain's `{"secuencia": n, "hmac": h}` of before: chain 0's head."""
        error = ValueError("no es el JSON que imprime «auditoria cabeza»")
        try:
            datos = json.loads(entrada)
        except ValueError:
            raise error from None
        if not isinstance(datos, dict):
            raise error
        if "secuencia" in datos:
            if not (_entero(datos["secuencia"]) and _hex64(datos.get("hmac"))):
                raise ValueError("se esperaban «secuencia» (entero) y «hmac» (64 caracteres hex)")
            return cls((Cabeza(0, datos["secuencia"], datos["hmac"].lower()),))
        cabezas, raiz = datos.get("cabezas"), datos.get("raiz")
        if not isinstance(cabezas, list) or not all(
                isinstance(c, dict) and _entero(c.get("cadena")) and _entero(c.get("eslabon"))
                and _hex64(c.get("hmac")) for c in cabezas):
            raise ValueError("se esperaba «cabezas»: una lista de {cadena, eslabon, hmac}")
        if raiz is not None and not (isinstance(raiz, dict) and _entero(raiz.get("numero"))
                                     and _hex64(raiz.get("hmac"))):
            raise ValueError("se esperaba «raiz»: {numero, hmac}")
        return cls(tuple(Cabeza(c["cadena"], c["eslabon"], c["hmac"].lower()) for c in cabezas),
                   raiz and Raiz(raiz["numero"], raiz["hmac"].lower()))


def exportar() -> Exportada:
    return Exportada(tuple(Cabeza(*fila) for fila in cabezas_guardadas()), ultima())


@dataclass(frozen=True)
class Rotura:
    """The first broken link: the event (chain, eslabon, id) where a chain breaks — for a
    truncated tail the first missing eslabon and no id — or the root (`raiz`) that is wrong."""

    cadena: int | None
    eslabon: int | None
    id: uuid.UUID | None
    motivo: str
    raiz: int | None = None


@dataclass(frozen=True)
class Resultado:
    eventos: int  # how many verified before the break, or in all
    cabezas: dict[int, Cabeza] = field(default_factory=dict)  # each non-empty chain's last
    raices: int = 0
    rotura: Rotura | None = None

    @property
    def integra(self) -> bool:
        return self.rotura is None


def _verificar_raices(clave: bytes, exportada: Raiz | None, lote: int):
    """(how many roots, the last one's heads {cadena: (eslabon, hmac)}, its number, Rotura|None)."""
    anterior, numero, cabezas, desde = GENESIS, 0, {}, 0
    while True:
        filas = db.session.execute(select(_RAIZ).where(_RAIZ.c.numero > desde)
                                   .order_by(_RAIZ.c.numero).limit(lote)).mappings().all()
        for fila in filas:
            if fila["numero"] != numero + 1:
                return numero, cabezas, Rotura(None, None, None, f"falta la raíz número {numero + 1}: "
                                               "fue borrada", raiz=fila["numero"])
            if not hmac.compare_digest(hmac_de_raiz(fila["numero"], fila["momento"], fila["cabezas"],
                                                    anterior, clave), fila["hmac"]):
                return numero, cabezas, Rotura(None, None, None, "su HMAC no corresponde a su contenido "
                                               "y a la raíz anterior: la raíz fue falsificada o modificada",
                                               raiz=fila["numero"])
            nuevas = {c: (e, h) for c, e, h in json.loads(fila["cabezas"])}
            if any(c not in nuevas or nuevas[c][0] < e for c, (e, _h) in cabezas.items()):
                return numero, cabezas, Rotura(None, None, None, "una cadena retrocede respecto de la "
                                               "raíz anterior", raiz=fila["numero"])
            if exportada is not None and fila["numero"] == exportada.numero \
                    and not hmac.compare_digest(fila["hmac"], exportada.hmac):
                return numero, cabezas, Rotura(None, None, None, "no es la raíz exportada: las raíces "
                                               "fueron reescritas desde aquí", raiz=fila["numero"])
            anterior, numero, cabezas = fila["hmac"], fila["numero"], nuevas
        if len(filas) < lote:
            break
        desde = filas[-1]["numero"]
    if exportada is not None and exportada.numero > numero:
        return numero, cabezas, Rotura(None, None, None, f"faltan raíces al final: la raíz exportada es "
                                       f"la número {exportada.numero}, pero la última guardada es la "
                                       f"{numero}", raiz=numero + 1)
    return numero, cabezas, None


def _verificar_cadena(cadena: int, referencias: list[tuple[Cabeza, str]], clave: bytes, lote: int):
    """(events verified, last Cabeza or None, Rotura|None) for one chain."""
    version = version_de(cadena)
    buscados = {referencia.eslabon for referencia, _ in referencias}
    vistos: dict[int, tuple[str, uuid.UUID]] = {}
    anterior, esperado, ultimo, desde = GENESIS, 1, None, 0
    while True:
        filas = db.session.execute(select(_EVENTO).where(_EVENTO.c.cadena == cadena, _EVENTO.c.eslabon > desde)
                                   .order_by(_EVENTO.c.eslabon).limit(lote)).mappings().all()
        for fila in filas:
            if fila["eslabon"] != esperado:
                motivo = (f"falta el eslabón {esperado} de la cadena {cadena}: fue borrado"
                          if fila["eslabon"] > esperado else
                          f"su eslabón no sigue al del evento anterior ({esperado - 1})")
                return esperado - 1, ultimo, Rotura(cadena, fila["eslabon"], fila["id"], motivo)
            if not hmac.compare_digest(calcular_hmac(fila, anterior, clave, version), fila["hmac"]):
                return esperado - 1, ultimo, Rotura(
                    cadena, fila["eslabon"], fila["id"],
                    "su HMAC no corresponde a su contenido y al evento anterior: "
                    "el evento fue modificado, movido o sustituido")
            if fila["eslabon"] in buscados:
                vistos[fila["eslabon"]] = (fila["hmac"], fila["id"])
            anterior, esperado = fila["hmac"], esperado + 1
            ultimo = Cabeza(cadena, fila["eslabon"], fila["hmac"], fila["momento"])
        if len(filas) < lote:
            break
        desde = filas[-1]["eslabon"]

    total = esperado - 1
    for referencia, nombre in referencias:
        if referencia.eslabon == 0:
            if referencia.hmac != GENESIS:
                return total, ultimo, Rotura(cadena, 0, None, f"{nombre} no es válida")
            continue
        if referencia.eslabon > total:
            return total, ultimo, Rotura(
                cadena, total + 1, None,
                f"faltan eventos al final de la cadena {cadena}: {nombre} llega al eslabón "
                f"{referencia.eslabon}, pero el último guardado es el {total}")
        valor, identificador = vistos[referencia.eslabon]
        if not hmac.compare_digest(valor, referencia.hmac):
            return total, ultimo, Rotura(
                cadena, referencia.eslabon, identificador,
                f"el evento no es el que indica {nombre}: la cadena fue reescrita desde aquí")
    return total, ultimo, None


def verificar(exportada: Exportada | None = None, *, lote: int = 1000) -> Resultado:
    """Walk every root, then every chain in order; stop at the first broken link.

    Roots and head rows are read before the events, so events appended meanwhile don't look
    like a mismatch."""
    clave = llavero_actual(recargar=True).auditoria
    raices, de_la_raiz, rotura = _verificar_raices(clave, exportada and exportada.raiz, lote)
    if rotura is not None:
        return Resultado(0, {}, raices, rotura)
    guardadas = {c: Cabeza(c, e, h) for c, e, h in cabezas_guardadas()}
    exportadas = {c.cadena: c for c in exportada.cabezas} if exportada else {}
    con_eventos = set(db.session.scalars(select(distinct(_EVENTO.c.cadena))))
    total, cabezas = 0, {}
    for cadena in sorted(con_eventos | set(guardadas) | set(de_la_raiz) | set(exportadas)):
        referencias = []
        if cadena in guardadas:
            referencias.append((guardadas[cadena], "la cabeza guardada en la base"))
        if cadena in de_la_raiz:
            referencias.append((Cabeza(cadena, *de_la_raiz[cadena]), f"la raíz número {raices}"))
        if cadena in exportadas:
            referencias.append((exportadas[cadena], "la cabeza exportada"))
        cuantos, ultimo, rotura = _verificar_cadena(cadena, referencias, clave, lote)
        total += cuantos
        if ultimo is not None:
            cabezas[cadena] = ultimo
        if rotura is None and cuantos and cadena not in guardadas:
            rotura = Rotura(cadena, None, None, f"falta la fila de cabeza_auditoria de la cadena {cadena}")
        if rotura is not None:
            return Resultado(total, cabezas, raices, rotura)
    return Resultado(total, cabezas, raices, None)
