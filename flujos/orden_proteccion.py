"""Protection orders (LGAMVLV Arts. 27–34): requested, issued (in force), extended, expired,
lifted or denied. Deadlines live in flujos/plazos.py."""

from flujos.base import CUALQUIERA, SISTEMA, Flujo, Transicion


def _valoracion_reciente(contexto: dict) -> str | None:
    """Before an order is lifted, a new risk assessment is required (DOMAIN.md)."""
    if not contexto.get("valoracion_posterior_a_emision"):
        return "Antes de levantar la orden registre una nueva valoración de riesgo."
    return None


def _una_sola_prorroga(contexto: dict) -> str | None:
    if contexto.get("prorrogas", 0) >= 1:
        return "La orden ya se prorrogó una vez; la ley permite una prórroga de hasta 30 días."
    return None


VIGENTES = frozenset({"vigente", "prorrogada"})
# Requested and not issued yet: the 4-hour deadline runs.
SOLICITADA = "solicitada"
# Refused by the authority (the statistics count it apart).
NEGADA = "negada"

FLUJO_ORDEN = Flujo(
    nombre="orden_proteccion",
    estados={
        "solicitada": "Solicitada",
        "vigente": "Emitida (vigente)",
        "prorrogada": "Prorrogada",
        "vencida": "Vencida",
        "levantada": "Levantada",
        "negada": "Negada",
    },
    inicial="solicitada",
    finales=frozenset({"vencida", "levantada", "negada"}),
    transiciones=(
        Transicion("emitir", ("solicitada",), "vigente", "Registrar emisión", lado=CUALQUIERA),
        Transicion("negar", ("solicitada",), "negada", "Registrar que se negó", lado=CUALQUIERA,
                   requiere_motivo=True),
        Transicion("prorrogar", ("vigente",), "prorrogada", "Registrar prórroga", lado=CUALQUIERA,
                   guardas=(_una_sola_prorroga,)),
        Transicion("levantar", ("vigente", "prorrogada"), "levantada", "Registrar levantamiento",
                   lado=CUALQUIERA, requiere_motivo=True, guardas=(_valoracion_reciente,)),
        Transicion("vencer", ("vigente", "prorrogada"), "vencida", "Vencer", roles=SISTEMA,
                   lado=CUALQUIERA),
    ),
    # Each ends in "la orden de protección": the history adds its type and authority.
    en_historia={
        "solicitar": "Registró la solicitud de la orden de protección",  # casos/ordenes/servicios.py
        "emitir": "Registró la emisión de la orden de protección",
        "negar": "Registró que se negó la orden de protección",
        "prorrogar": "Registró la prórroga de la orden de protección",
        "levantar": "Registró el levantamiento de la orden de protección",
        "vencer": "Venció la orden de protección",
        "seguimiento": "Registró un contacto de seguimiento de la orden de protección",
    },
)
