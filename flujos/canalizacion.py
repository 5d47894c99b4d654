"""A referral (canalización) from the owning institution to another, and its answer.

The sending institution keeps the case: a referral shares it, never hands it over. The
receiving institution sees it only once it accepts, and only what the woman consented to.
"""

from flujos.base import CASO, RECEPTORA, Flujo, Transicion

# While in these states the receiving institution may open the case.
VIGENTES = frozenset({"aceptada", "atendida"})
# While in these states the receiving institution reads, on the referral, what the woman
# consented to share: to decide on it (enviada) and to serve her (aceptada, atendida). In any
# other state it keeps a record without personal data.
COMPARTEN = frozenset({"enviada", "aceptada", "atendida"})
# While in these states the referral waits for the receiving institution's answer.
EN_ESPERA_DE_RESPUESTA = frozenset({"enviada"})

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
                   al_rechazar="devolver"),
        Transicion("devolver", ("por_aprobar",), "borrador", "Devolver a borrador",
                   requiere_aprobacion=True, requiere_motivo=True),
        Transicion("aceptar", ("enviada",), "aceptada", "Aceptar", lado=RECEPTORA),
        Transicion("rechazar", ("enviada",), "rechazada", "Rechazar", lado=RECEPTORA,
                   requiere_motivo=True),
        Transicion("contrarreferir", ("aceptada",), "atendida", "Registrar contrarreferencia",
                   lado=RECEPTORA),
        Transicion("concluir", ("atendida",), "concluida", "Concluir"),
        Transicion("cancelar", ("borrador", "por_aprobar", "enviada"), "cancelada", "Cancelar",
                   roles=CASO, requiere_motivo=True),
    ),
)
