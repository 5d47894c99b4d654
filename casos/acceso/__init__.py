"""The one place that decides access, in three layers:

- `politica`: which role may call which route (`@permiso`, deny by default);
- `casos`: which cases a person finds and what of each she may read (`vista_de`), by her
  institution, the referral's state and the woman's consent;
- `objetos`: the scoped loaders through which every route reaches a domain object.

docs/DESIGN.md, "Access, consent and audit", says why it is split so.
"""

from casos.acceso.casos import (
    Documentos,
    Vista,
    casos_visibles,
    casos_visibles_por_partes,
    compartidas,
    documentos_de,
    etiqueta,
    etiquetas,
    parametros_de_alcance,
    vista_de,
)
from casos.acceso.objetos import (
    ADJUNTAR,
    ADMINISTRAR,
    ATENDER,
    BLOQUEADO,
    EJERCER_ACCESO,
    EJERCER_RECTIFICACION,
    ESCRIBIR,
    LEER,
    PROPIO,
    RESOLVER,
    RESPONDER,
    RETIRAR,
    TRAMITAR,
    Rechazo,
)
from casos.acceso.politica import (
    EN_SERVICIO,
    POLITICA,
    PUBLICA,
    TODOS,
    TOKEN_API,
    Regla,
    accion_de,
    permiso,
    puede,
    verificar,
)

__all__ = [
    "ADJUNTAR", "ADMINISTRAR", "ATENDER", "BLOQUEADO", "Documentos", "EJERCER_ACCESO", "EJERCER_RECTIFICACION", "EN_SERVICIO", "ESCRIBIR", "LEER", "POLITICA", "PROPIO", "PUBLICA", "RESOLVER", "RESPONDER", "RETIRAR", "TRAMITAR",
    "TODOS", "TOKEN_API", "Rechazo", "Regla", "Vista", "accion_de", "casos_visibles",
    "casos_visibles_por_partes", "compartidas", "parametros_de_alcance", "documentos_de", "etiqueta", "etiquetas", "permiso", "puede", "verificar", "vista_de",
]
