"""A referral (canalización) from the owning institution to another, and its answer.

The sending institution keeps the case: a referral shares it, never hands it over. The
receiving institution sees it only once it accepts, and only what the woman consented to.
"""

from flujos.base import CASO, RECEPTORA, SISTEMA, Flujo, Transicion


def _con_su_consentimiento(contexto: dict) -> str | None:
    """Sending is checked against the woman's consent as it is when the supervisora approves,
    not as it was when the caseworker asked: she may have revoked it meanwhile. The caller
    must say so (`consentimiento_permite`); without it, nothing is sent."""
    if contexto.get("consentimiento_permite") is True:
        return None
    return "El consentimiento de la mujer ya no permite enviar el caso a esa institución."


# While in these states the receiving institution may open the case.
VIGENTES = frozenset({"aceptada", "atendida"})
# While in these states the receiving institution reads, on the referral, what the woman
# consented to share: to decide on it (enviada) and to serve her (aceptada, atendida). In any
# other state it keeps a record without personal data.
COMPARTEN = frozenset({"enviada", "aceptada", "atendida"})
CANCELADA = "cancelada"
# Not sent yet: a revoked consent cancels them.
NO_ENVIADAS = frozenset({"borrador", "por_aprobar"})
# While in these states the referral waits for the receiving institution's answer.
EN_ESPERA_DE_RESPUESTA = frozenset({"enviada"})
# The steps of a referral its receiving institution reads (on the referral and in the case's
# history): from its sending on. Before that, creating it, asking for approval and sending it
# back to draft are the sender's internal work. A step added later stays hidden until named.
VE_LA_RECEPTORA = frozenset({"enviar", "aceptar", "rechazar", "contrarreferir", "concluir", "cancelar"})

FLUJO_CANALIZACION = Flujo(
    nombre="canalizacion",
    estados={
        "borrador": "Borrador",
        "por_aprobar": "Por aprobar",
        "enviada": "Enviada",
        "aceptada": "Aceptada",
        "rechazada": "Rechazada",
        "atendida": "Atendida (con contrarreferencia)",
        "concluida": "Concluida",
        "cancelada": "Cancelada",
    },
    inicial="borrador",
    finales=frozenset({"rechazada", "concluida", "cancelada"}),
    transiciones=(
        Transicion("solicitar_envio", ("borrador",), "por_aprobar", "Solicitar envío"),
        Transicion("enviar", ("por_aprobar",), "enviada", "Enviar", requiere_aprobacion=True,
                   al_rechazar="devolver", guardas=(_con_su_consentimiento,)),
        Transicion("devolver", ("por_aprobar",), "borrador", "Devolver a borrador",
                   requiere_aprobacion=True, requiere_motivo=True),
        Transicion("aceptar", ("enviada",), "aceptada", "Aceptar", lado=RECEPTORA),
        Transicion("rechazar", ("enviada",), "rechazada", "Rechazar", lado=RECEPTORA,
                   requiere_motivo=True),
        Transicion("contrarreferir", ("aceptada",), "atendida", "Registrar contrarreferencia",
                   lado=RECEPTORA),
        Transicion("concluir", ("atendida",), "concluida", "Concluir"),
        # Also by the system: a revoked consent cancels what was not sent yet.
        Transicion("cancelar", ("borrador", "por_aprobar", "enviada"), "cancelada",
                   "Cancelar la canalización", roles=CASO | SISTEMA, requiere_motivo=True),
    ),
    # Each ends in "la canalización": the history adds "a <institución>".
    en_historia={
        "crear": "Registró la canalización",  # casos/canalizaciones/servicios.py `solicitar`
        "solicitar_envio": "Pidió a una supervisora aprobar el envío de la canalización",
        "enviar": "Envió la canalización",
        "devolver": "Devolvió a borrador la canalización",
        "aceptar": "Aceptó la canalización",
        "rechazar": "Rechazó la canalización",
        "contrarreferir": "Registró la contrarreferencia de la canalización",
        "concluir": "Concluyó la canalización",
        "cancelar": "Canceló la canalización",
    },
)
