"""Reading the audit trail for people: filters and keyset pages over `secuencia`.

Keyset ("before this secuencia"), never OFFSET: the trail only grows, and page 1,000 must cost
what page 1 does. Metadata only: who (account name, role, institution), what, when, from where.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import aliased

from casos.auditoria.acciones import ACCIONES
from casos.auditoria.modelos import EventoAuditoria
from casos.cuentas.modelos import Institucion, Usuaria
from casos.extensiones import db
from casos.filtros import condiciones_de_rango, leer_rango

POR_PAGINA = 100


def _uuid(valor: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(valor.strip()) if valor and valor.strip() else None
    except ValueError:
        return None



def entero_positivo(valor: str | None) -> int | None:
    try:
        numero = int(valor) if valor else None
    except ValueError:
        return None
    # A number PostgreSQL's BIGINT can't hold would be a 500 instead of page 1.
    return numero if numero is not None and 0 < numero < 2**63 else None


@dataclass
class Filtros:
    caso_id: uuid.UUID | None = None
    usuaria_id: uuid.UUID | None = None
    accion: str | None = None
    desde: date | None = None
    hasta: date | None = None
    antes: int | None = None  # keyset cursor: events with a smaller secuencia
    errores: list[str] = field(default_factory=list)

    @classmethod
    def de_consulta(cls, args) -> Filtros:
        """Unknown or malformed values are dropped, never passed to SQL; the page says which."""
        filtros = cls(antes=entero_positivo(args.get("antes")))
        for nombre, texto in (("caso_id", "identificador de caso"), ("usuaria_id", "cuenta")):
            valor = _uuid(args.get(nombre))
            if args.get(nombre, "").strip() and valor is None:
                filtros.errores.append(f"Se ignoró un filtro no válido ({texto}).")
            setattr(filtros, nombre, valor)
        accion = args.get("accion") or None
        if accion is not None and accion not in ACCIONES:
            filtros.errores.append("Se ignoró un filtro no válido (acción).")
            accion = None
        filtros.accion = accion
        leer_rango(args, filtros)
        return filtros

    def como_args(self, **cambios) -> dict:
        valores = {"caso_id": self.caso_id, "usuaria_id": self.usuaria_id, "accion": self.accion,
                   "desde": self.desde, "hasta": self.hasta, **cambios}
        return {k: (v.isoformat() if isinstance(v, date) else str(v))
                for k, v in valores.items() if v}


@dataclass
class Fila:
    evento: EventoAuditoria
    cuenta: str | None  # the account's name today; the role is the one she had then
    institucion: str | None
    objeto: str | None  # the account or institution the action was done to


@dataclass
class Pagina:
    filas: list[Fila]
    siguiente: int | None



def pagina(filtros: Filtros) -> Pagina:
    e = EventoAuditoria
    cuenta_objeto, institucion_objeto = aliased(Usuaria), aliased(Institucion)
    consulta = (select(e, Usuaria.nombre, Institucion.siglas, cuenta_objeto.correo,
                       institucion_objeto.siglas)
                .outerjoin(Usuaria, Usuaria.id == e.usuaria_id)
                .outerjoin(Institucion, Institucion.id == e.institucion_id)
                .outerjoin(cuenta_objeto, cuenta_objeto.id == e.objeto_id)
                .outerjoin(institucion_objeto, institucion_objeto.id == e.objeto_id))
    for columna, valor in ((e.caso_id, filtros.caso_id), (e.usuaria_id, filtros.usuaria_id),
                           (e.accion, filtros.accion)):
        if valor is not None:
            consulta = consulta.where(columna == valor)
    consulta = consulta.where(*condiciones_de_rango(e.momento, filtros.desde, filtros.hasta))
    if filtros.antes:
        consulta = consulta.where(e.secuencia < filtros.antes)
    resultado = db.session.execute(consulta.order_by(e.secuencia.desc()).limit(POR_PAGINA + 1)).all()
    filas = [Fila(evento, cuenta, siglas, correo_objeto or siglas_objeto)
             for evento, cuenta, siglas, correo_objeto, siglas_objeto in resultado[:POR_PAGINA]]
    siguiente = filas[-1].evento.secuencia if len(resultado) > POR_PAGINA else None
    return Pagina(filas, siguiente)


def cuentas_para_filtro() -> list[tuple[uuid.UUID, str]]:
    filas = db.session.execute(
        select(Usuaria.id, Usuaria.nombre, Usuaria.correo, Institucion.siglas)
        .join(Institucion, Institucion.id == Usuaria.institucion_id)
        .order_by(Institucion.siglas, Usuaria.nombre)).all()
    return [(f.id, f"{f.nombre} · {f.correo} · {f.siglas}") for f in filas]
