"""Approval requests (four eyes) and the risk-level change that needs one."""

from flujos.base import CASO, SISTEMA, SUPERVISION, Flujo, Transicion

# A request that waits for a supervisora (the machine's only non-final state).
PENDIENTE = "pendiente"

FLUJO_SOLICITUD = Flujo(
    nombre="solicitud_aprobacion",
    estados={PENDIENTE: "Pendiente", "aprobada": "Aprobada", "rechazada": "Rechazada",
             "retirada": "Retirada", "sin_efecto": "Sin efecto"},
    inicial=PENDIENTE,
    finales=frozenset({"aprobada", "rechazada", "retirada", "sin_efecto"}),
    transiciones=(
        # Same institution and not the requester: checked by the approval service, which knows
        # who asked; the roles here keep a capturista from ever approving.
        Transicion("aprobar", ("pendiente",), "aprobada", "Aprobar", roles=SUPERVISION),
        Transicion("rechazar", ("pendiente",), "rechazada", "Rechazar", roles=SUPERVISION,
                   requiere_motivo=True),
        Transicion("retirar", ("pendiente",), "retirada", "Retirar la solicitud", roles=CASO),
        # The entity changed meanwhile and the requested move is no longer possible.
        # Also by the system: erasing a case's personal data ends what waited on it.
        Transicion("anular", ("pendiente",), "sin_efecto", "Dejar sin efecto",
                   roles=CASO | SUPERVISION | SISTEMA),
    ),
    # The history adds what was asked for ("…: cerrar el caso").
    en_historia={
        "crear": "Pidió la aprobación de una supervisora",  # the request itself, not a move
        "aprobar": "Aprobó la solicitud",
        "rechazar": "Rechazó la solicitud",
        "retirar": "Retiró la solicitud",
        "anular": "La solicitud quedó sin efecto",
    },
)

# Every way of lowering a case's risk level waits for a supervisora before it counts: a level
# chosen below the computed one, or a re-assessment below the level the case carries now (the
# rule is casos/expedientes/riesgo.py `requiere_aprobacion`). Meanwhile the case keeps the
# higher of its current and computed levels; "aplicar" gives it the proposed one. Applying asks
# for no typed reason here: a lowering re-assessment that follows the instrument has none (its
# answers are the reason); the service always writes the levels into the request, plus the
# reason the professional must type when she departs from the computed level. Rejecting
# ("descartar") needs the supervisora's reason.
# An assessment whose level waits for that approval.
PROPUESTA = "por_aprobar"

FLUJO_VALORACION = Flujo(
    nombre="valoracion_riesgo",
    estados={PROPUESTA: "Por aprobar", "vigente": "Vigente", "rechazada": "Rechazada"},
    inicial="vigente",
    finales=frozenset({"vigente", "rechazada"}),
    transiciones=(
        Transicion("aplicar", ("por_aprobar",), "vigente", "Aplicar el nivel propuesto",
                   requiere_aprobacion=True, al_rechazar="descartar"),
        Transicion("descartar", ("por_aprobar",), "rechazada", "Descartar el nivel propuesto",
                   requiere_aprobacion=True, requiere_motivo=True),
    ),
    en_historia={
        "aplicar": "Aplicó el nivel de riesgo propuesto",
        "descartar": "Descartó el nivel de riesgo propuesto",
    },
)
