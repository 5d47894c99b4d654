"""Tamper-evident audit trail: who did what, to which case, when and from where.

Services queue the events of their changes with `al_confirmar` (written when the request's
transaction commits); routes declare their reads with `@permiso(..., lectura=...)`, written by
casos/peticion.py. No view writes an event by hand. See docs/DESIGN.md, "Audit".
"""

from casos.auditoria.acciones import ACCIONES
from casos.auditoria.servicios import al_confirmar, en_cola, registrar, registrar_consulta

__all__ = ["ACCIONES", "al_confirmar", "en_cola", "registrar", "registrar_consulta"]
