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
