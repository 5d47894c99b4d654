"""A request over her personal data (derechos ARCO: acceso, rectificación, cancelación,
oposición; LGPDPPSO), from its receipt to its end, and the legal terms of each step.

    recibida ─ acreditar_identidad ─> identidad_acreditada ─ conceder ─> procedente ─┐
       │  └─ prevenir ─> prevenida ─ subsanar ─> subsanada ─┘  ├ conceder_en_parte ─> procedente_parcial ─┤
       │                    └─ tener_por_no_presentada ─> no_presentada    └ negar ─> improcedente        hacer_efectivo
       └─ declarar_no_competente ─> no_competente                                                 └─> efectuada

Who may act: the admin, as the transparency officer of every institution (README, "Roles"); the
person who asks never uses the system. The requester may be the aggressor posing as her or as
her representative: nothing of the case is shown before her identity is accredited, and a
refusal names its legal ground (casos/catalogos.py `CAUSALES_IMPROCEDENCIA_ARCO`).

Terms are días hábiles (flujos/dias_habiles.py), in flujos/plazos.py; `plazos` computes every
term from the dates of what happened, so the caller stores them at each step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flujos import plazos as ley
from flujos.base import CUALQUIERA, Flujo, Transicion
from flujos.dias_habiles import Calendario

# The admin acts for any institution: the side of the case does not matter, the role does.
TRANSPARENCIA = frozenset({"admin"})

RECIBIDA = "recibida"
PREVENIDA = "prevenida"
# Open: a second request of the same right over the same case waits for this one to end.
ABIERTAS = frozenset({RECIBIDA, PREVENIDA, "subsanada", "identidad_acreditada", "procedente",
                      "procedente_parcial"})
# The case's data may be shown to the officer (never before: the requester may be the aggressor).
CON_IDENTIDAD = frozenset({"identidad_acreditada", "procedente", "procedente_parcial", "efectuada",
                           "improcedente"})
# Each right carried out in the system (casos/arco/): acceso records the delivery of its
# document, rectificación writes the corrected fields, cancelación erases her data
# (crypto-shredding), oposición stops sharing with the kinds of institution she names.
SE_HACEN_EFECTIVOS = frozenset({"acceso", "rectificacion", "cancelacion", "oposicion"})
# A granted request whose right is exercised on her data (the acceso document, the
# rectificación form): the states in which it may be. Acceso may be printed again once delivered.
EJERCIBLE = {"acceso": frozenset({"procedente", "procedente_parcial", "efectuada"}),
             "rectificacion": frozenset({"procedente", "procedente_parcial"})}


def _prevencion_en_plazo(contexto: dict) -> str | None:
    if contexto.get("prevencion_en_plazo") is True:
        return None
    return ("El plazo para prevenir venció (5 días hábiles desde la recepción): la solicitud se "
            "tramita con lo que se presentó.")


def _subsanacion_vencida(contexto: dict) -> str | None:
    if contexto.get("subsanacion_vencida") is True:
        return None
    return ("Aún corre el plazo de 10 días hábiles para que subsane la prevención: no puede tenerse "
            "por no presentada antes de que venza.")


def _una_ampliacion_en_plazo(contexto: dict) -> str | None:
    if contexto.get("ampliaciones", 0) >= 1:
        return "El plazo de respuesta ya se amplió una vez; la ley permite una sola ampliación."
    if contexto.get("respuesta_en_plazo") is not True:
        return "La ampliación se notifica dentro del plazo de respuesta, y ese plazo ya venció."
    return None


def _se_hace_efectivo(contexto: dict) -> str | None:
    """What carrying out each right needs: the caller says it was done (fields rectified,
    kinds of institution named)."""
    derecho = contexto.get("derecho")
    if derecho not in SE_HACEN_EFECTIVOS:
        return "Ese derecho no se hace efectivo en el sistema."
    if derecho == "rectificacion" and not contexto.get("rectificados"):
        return ("La rectificación se hace efectiva al guardar los datos corregidos en su formulario "
                "(«Rectificar sus datos»), no desde aquí.")
    if derecho == "oposicion" and not contexto.get("tipos_opuestos"):
        return ("Elija al menos un tipo de institución con el que ella se opone a que se compartan sus "
                "datos.")
    return None


FLUJO_ARCO = Flujo(
    nombre="solicitud_arco",
    estados={
        RECIBIDA: "Recibida",
        PREVENIDA: "Prevenida (espera que subsane)",
        "subsanada": "Prevención subsanada",
        "no_presentada": "Tenida por no presentada",
        "identidad_acreditada": "Identidad acreditada",
        "procedente": "Procedente",
        "procedente_parcial": "Procedente en parte",
        "improcedente": "Improcedente",
        "no_competente": "No competente",
        "efectuada": "Hecha efectiva",
    },
    inicial=RECIBIDA,
    finales=frozenset({"no_presentada", "improcedente", "no_competente", "efectuada"}),
    transiciones=(
        Transicion("acreditar_identidad", (RECIBIDA, "subsanada"), "identidad_acreditada",
                   "Acreditar la identidad", roles=TRANSPARENCIA, lado=CUALQUIERA),
        # Once, within 5 días hábiles; the reason is what she must correct or bring.
        Transicion("prevenir", (RECIBIDA,), PREVENIDA, "Prevenir (pedir que corrija o complete)",
                   roles=TRANSPARENCIA, lado=CUALQUIERA, requiere_motivo=True,
                   guardas=(_prevencion_en_plazo,)),
        Transicion("subsanar", (PREVENIDA,), "subsanada", "Registrar que subsanó",
                   roles=TRANSPARENCIA, lado=CUALQUIERA),
        Transicion("tener_por_no_presentada", (PREVENIDA,), "no_presentada",
                   "Tener por no presentada", roles=TRANSPARENCIA, lado=CUALQUIERA,
                   guardas=(_subsanacion_vencida,)),
        # The reason says which body is competent, when it can be told.
        Transicion("declarar_no_competente", (RECIBIDA,), "no_competente",
                   "Declarar que la institución no es competente", roles=TRANSPARENCIA,
                   lado=CUALQUIERA, requiere_motivo=True),
        Transicion("ampliar_plazo", ("identidad_acreditada",), "identidad_acreditada",
                   "Ampliar el plazo de respuesta (10 días hábiles)", roles=TRANSPARENCIA,
                   lado=CUALQUIERA, requiere_motivo=True, guardas=(_una_ampliacion_en_plazo,)),
        Transicion("conceder", ("identidad_acreditada",), "procedente", "Responder: procedente",
                   roles=TRANSPARENCIA, lado=CUALQUIERA),
        # Partly or wholly refused: with its legal ground (the caller checks it) and a reason.
        Transicion("conceder_en_parte", ("identidad_acreditada",), "procedente_parcial",
                   "Responder: procedente en parte", roles=TRANSPARENCIA, lado=CUALQUIERA,
                   requiere_motivo=True),
        Transicion("negar", ("identidad_acreditada",), "improcedente", "Responder: improcedente",
                   roles=TRANSPARENCIA, lado=CUALQUIERA, requiere_motivo=True),
        Transicion("hacer_efectivo", ("procedente", "procedente_parcial"), "efectuada",
                   "Hacerla efectiva", roles=TRANSPARENCIA, lado=CUALQUIERA,
                   guardas=(_se_hace_efectivo,)),
    ),
    # The case's history adds nothing to these: each says what happened by itself.
    en_historia={
        "crear": "Registró una solicitud ARCO sobre los datos del caso",
        "acreditar_identidad": "Acreditó la identidad de quien presentó una solicitud ARCO",
        "prevenir": "Previno a quien presentó una solicitud ARCO",
        "subsanar": "Registró que se subsanó la prevención de una solicitud ARCO",
        "tener_por_no_presentada": "Tuvo por no presentada una solicitud ARCO",
        "declarar_no_competente": "Declaró que la institución no es competente para una solicitud ARCO",
        "ampliar_plazo": "Amplió el plazo de respuesta de una solicitud ARCO",
        "conceder": "Respondió como procedente una solicitud ARCO",
        "conceder_en_parte": "Respondió como procedente en parte una solicitud ARCO",
        "negar": "Respondió como improcedente una solicitud ARCO",
        "hacer_efectivo": "Hizo efectiva una solicitud ARCO",
    },
)


# ---- the terms --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Fechas:
    """The local days on which what starts a term happened."""

    recibida_el: date
    prevenida_el: date | None = None
    subsanada_el: date | None = None
    ampliada_el: date | None = None
    respondida_el: date | None = None


@dataclass(frozen=True)
class Plazos:
    """The last día hábil of each term (None: it does not run now)."""

    respuesta: date | None
    prevencion: date
    no_competencia: date
    subsanacion: date | None
    efectivo: date | None


def plazos(fechas: Fechas, calendario: Calendario) -> Plazos:
    """Every term as the law counts it. The answer term runs from the receipt; a prevention
    interrupts it (None while she may correct) and it runs again, whole, from the correction;
    an extension adds 10 días hábiles to it; the answer starts the term to carry it out."""
    if fechas.prevenida_el is None:
        inicio = fechas.recibida_el
    else:
        inicio = fechas.subsanada_el  # None while the prevention waits
    respuesta = None
    if inicio is not None:
        dias = ley.ARCO_RESPUESTA_DIAS_HABILES
        if fechas.ampliada_el is not None:
            dias += ley.ARCO_AMPLIACION_DIAS_HABILES
        respuesta = calendario.sumar(inicio, dias)
    return Plazos(
        respuesta=respuesta,
        prevencion=calendario.sumar(fechas.recibida_el, ley.ARCO_PREVENCION_DIAS_HABILES),
        no_competencia=calendario.sumar(fechas.recibida_el, ley.ARCO_NO_COMPETENCIA_DIAS_HABILES),
        subsanacion=(calendario.sumar(fechas.prevenida_el, ley.ARCO_SUBSANACION_DIAS_HABILES)
                     if fechas.prevenida_el else None),
        efectivo=(calendario.sumar(fechas.respondida_el, ley.ARCO_EFECTIVO_DIAS_HABILES)
                  if fechas.respondida_el else None),
    )


# Which term each open state waits on, and what has to be done by then.
QUE_VENCE = {
    RECIBIDA: ("respuesta", "Acreditar la identidad y responder"),
    "subsanada": ("respuesta", "Acreditar la identidad y responder"),
    "identidad_acreditada": ("respuesta", "Responder"),
    PREVENIDA: ("subsanacion", "Plazo para subsanar la prevención"),
    "procedente": ("efectivo", "Hacerla efectiva"),
    "procedente_parcial": ("efectivo", "Hacerla efectiva"),
}


def vence(estado: str, terminos: Plazos) -> date | None:
    """The day by which the request's current step must be done; None once it ended."""
    cual = QUE_VENCE.get(estado)
    return getattr(terminos, cual[0]) if cual else None
