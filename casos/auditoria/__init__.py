"""Tamper-evident audit trail: who did what, to which case, when and from where.

Views call `auditoria.registrar(...)` (changes, in their own transaction) or
`auditoria.registrar_consulta(...)` (read-only requests). See docs/DESIGN.md, "Audit".
"""

from casos.auditoria.acciones import ACCIONES
from casos.auditoria.servicios import registrar, registrar_consulta

__all__ = ["ACCIONES", "registrar", "registrar_consulta"]
