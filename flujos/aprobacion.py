"""Approval requests (four eyes) and the risk-level change that needs one."""

from flujos.base import CASO, SUPERVISION, Flujo, Transicion

FLUJO_SOLICITUD = Flujo(
    nombre="solicitud_aprobacion",
    estados={"pendiente": "Pendiente", "aprobada": "Aprobada", "rechazada": "Rechazada",
             "retirada": "Retirada", "sin_efecto": "Sin efecto"},
    inicial="pendiente",
    finales=frozenset({"aprobada", "rechazada", "retirada", "sin_efecto"}),
    transiciones=(
        # Same institution and not the requester: checked by the approval service, which knows
        # who asked; the roles here keep a capturista from ever approving.
        Transicion("aprobar", ("pendiente",), "aprobada", "Aprobar", roles=SUPERVISION),
        Transicion("rechazar", ("pendiente",), "rechazada", "Rechazar", roles=SUPERVISION,
                   requiere_motivo=True),
        Transicion("retirar", ("pendiente",), "retirada", "Retirar la solicitud", roles=CASO),
        # The entity changed meanwhile and the requested move is no longer possible.
        Transicion("anular", ("pendiente",), "sin_efecto", "Dejar sin efecto", roles=CASO | SUPERVISION),
    ),
)

# A risk assessment below the computed level waits for a supervisora before it counts.
FLUJO_VALORACION = Flujo(
    nombre="valoracion_riesgo",
    estados={"por_aprobar": "Por aprobar", "vigente": "Vigente", "rechazada": "Rechazada"},
    inicial="vigente",
    finales=frozenset({"vigente", "rechazada"}),
    transiciones=(
        Transicion("aplicar", ("por_aprobar",), "vigente", "Aplicar el nivel propuesto",
                   requiere_aprobacion=True, al_rechazar="descartar"),
        Transicion("descartar", ("por_aprobar",), "rechazada", "Descartar el nivel propuesto",
                   requiere_aprobacion=True, requiere_motivo=True),
    ),
)
