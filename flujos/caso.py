"""The case (expediente): from registration to closure, and back when violence returns."""

from flujos.base import Flujo, Transicion

ABIERTOS = ("registrado", "en_atencion", "en_seguimiento", "reabierto")

FLUJO_CASO = Flujo(
    nombre="caso",
    estados={
        "registrado": "Registrado",
        "en_atencion": "En atención",
        "en_seguimiento": "En seguimiento",
        "cerrado": "Cerrado",
        "reabierto": "Reabierto",
    },
    inicial="registrado",
    finales=frozenset({"cerrado"}),
    transiciones=(
        Transicion("atender", ("registrado", "reabierto"), "en_atencion", "Iniciar atención"),
        Transicion("dar_seguimiento", ("en_atencion",), "en_seguimiento", "Pasar a seguimiento"),
        Transicion("volver_a_atencion", ("en_seguimiento",), "en_atencion", "Volver a atención"),
        # Closing ends the institution's protection: a second person must agree (DOMAIN.md).
        Transicion("cerrar", ABIERTOS, "cerrado", "Cerrar el caso", requiere_aprobacion=True,
                   requiere_motivo=True),
        # The owning institution keeps the case: only it reopens it.
        Transicion("reabrir", ("cerrado",), "reabierto", "Reabrir el caso", requiere_motivo=True),
    ),
    en_historia={
        "atender": "Inició la atención",
        "dar_seguimiento": "Pasó el caso a seguimiento",
        "volver_a_atencion": "Volvió el caso a atención",
        "cerrar": "Cerró el caso",
        "reabrir": "Reabrió el caso",
    },
)
