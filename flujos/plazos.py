"""Legal and operational deadlines, as data (DOMAIN.md). Laws change: change them here.

Every value is a number of hours unless its name says otherwise.
"""

# LGAMVLV: an order is issued immediately, at most 4 hours after the authority learns of it.
ORDEN_EMISION_HORAS = 4
# Valid up to 60 days, extendable (once) by up to 30.
ORDEN_VIGENCIA_DIAS = 60
ORDEN_PRORROGA_DIAS = 30
# The issuing authority contacts the woman every 24 hours for the first 6 days.
ORDEN_SEGUIMIENTO_HORAS = 24
ORDEN_SEGUIMIENTO_DIAS = 6
# Warn this long before an order expires.
ORDEN_AVISO_VENCIMIENTO_DIAS = 7

# A referral left unanswered escalates: hours for the receiving institution to accept or
# reject, shorter when the case is urgent (alto, extremo).
CANALIZACION_RESPUESTA_HORAS = {"normal": 72, "urgente": 24}
# Emergency contraception is effective within 120 h and HIV prophylaxis within 72 h
# (NOM-046): a referral for medical care after sexual violence is answered within this.
CANALIZACION_SALUD_VIOLENCIA_SEXUAL_HORAS = 12

# A request awaiting a supervisora's approval should be resolved within this.
APROBACION_HORAS = {"normal": 24, "urgente": 4}

# Something due within this many hours is shown as "por vencer".
POR_VENCER_HORAS = 24


def horas_respuesta_canalizacion(*, urgente: bool, salud_por_violencia_sexual: bool) -> int:
    if salud_por_violencia_sexual:
        return CANALIZACION_SALUD_VIOLENCIA_SEXUAL_HORAS
    return CANALIZACION_RESPUESTA_HORAS["urgente" if urgente else "normal"]

# ARCO requests (LGPDPPSO: acceso, rectificación, cancelación, oposición), in días hábiles
# counted from the day after the act that starts each term (flujos/dias_habiles.py).
# Answer within 20, extendable once by up to 10 when notified within the term.
ARCO_RESPUESTA_DIAS_HABILES = 20
ARCO_AMPLIACION_DIAS_HABILES = 10
# A request that lacks something is "prevenida" once, within 5 of its receipt; she has 10
# from the notice to correct it, or it is deemed not filed. The prevention interrupts the
# answer term: it runs again, whole, from the day after she corrects it.
ARCO_PREVENCION_DIAS_HABILES = 5
ARCO_SUBSANACION_DIAS_HABILES = 10
# A granted request is carried out within 15 after its answer was notified.
ARCO_EFECTIVO_DIAS_HABILES = 15
# An institution that is not competent says so (and where to go) within 3 of its receipt.
ARCO_NO_COMPETENCIA_DIAS_HABILES = 3
# A request is registered while its answer term still runs: a date of receipt further back is
# taken for a typing error (casos/arco/servicios.py says so to the officer).
ARCO_RECEPCION_MAXIMA_ANTIGUEDAD_DIAS_HABILES = ARCO_RESPUESTA_DIAS_HABILES
# Pendientes and the admin's home show an open request this many días hábiles before its
# current deadline (a term counted in days needs more warning than 24 hours).
ARCO_AVISO_DIAS_HABILES = 3
