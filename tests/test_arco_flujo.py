"""The ARCO request's machine and its terms on their own (flujos/arco.py): no app, no database.

Every edge, who may fire it, what each guard refuses in Spanish, and the terms of each step
on real calendars (Christmas, Holy Week, 16 September), counted by hand.
"""

from __future__ import annotations

from datetime import date

import pytest

from flujos import FLUJOS, Actor, MovimientoIlegal
from flujos.arco import ABIERTAS, CON_IDENTIDAD, FLUJO_ARCO, SE_HACEN_EFECTIVOS, Fechas, plazos, vence
from flujos.base import DUENA
from flujos.dias_habiles import Calendario, reglas

ADMIN = Actor("a-1", "admin", frozenset())  # acts for any institution: no side of the case
CALENDARIO = Calendario(reglas([("pascua-3", "Jueves Santo"), ("pascua-2", "Viernes Santo"),
                                ("--11-02", "Día de Muertos"), ("--12-12", "Guadalupe")]))
EN_PLAZO = {"prevencion_en_plazo": True, "subsanacion_vencida": True, "respuesta_en_plazo": True,
            "derecho": "acceso"}


def _aristas():
    return {(t.evento, o, t.destino) for t in FLUJO_ARCO.transiciones for o in t.origen}


def test_el_flujo_se_registra_con_el_nombre_de_su_tabla():
    assert FLUJOS["solicitud_arco"] is FLUJO_ARCO and FLUJO_ARCO.inicial == "recibida"


def test_los_estados_y_movimientos_de_la_solicitud():
    assert _aristas() == {
        ("acreditar_identidad", "recibida", "identidad_acreditada"),
        ("acreditar_identidad", "subsanada", "identidad_acreditada"),
        ("prevenir", "recibida", "prevenida"),
        ("subsanar", "prevenida", "subsanada"),
        ("tener_por_no_presentada", "prevenida", "no_presentada"),
        ("declarar_no_competente", "recibida", "no_competente"),
        ("ampliar_plazo", "identidad_acreditada", "identidad_acreditada"),
        ("conceder", "identidad_acreditada", "procedente"),
        ("conceder_en_parte", "identidad_acreditada", "procedente_parcial"),
        ("negar", "identidad_acreditada", "improcedente"),
        ("hacer_efectivo", "procedente", "efectuada"),
        ("hacer_efectivo", "procedente_parcial", "efectuada"),
    }
    assert FLUJO_ARCO.finales == {"no_presentada", "improcedente", "no_competente", "efectuada"}
    assert ABIERTAS == set(FLUJO_ARCO.estados) - FLUJO_ARCO.finales
    # Nothing answers before identity: every answer leaves identidad_acreditada only.
    for t in FLUJO_ARCO.transiciones:
        if t.evento in ("conceder", "conceder_en_parte", "negar"):
            assert t.origen == ("identidad_acreditada",)
    assert "recibida" not in CON_IDENTIDAD and "prevenida" not in CON_IDENTIDAD
    assert SE_HACEN_EFECTIVOS == {"acceso", "rectificacion", "cancelacion", "oposicion"}
    motivos = {t.evento for t in FLUJO_ARCO.transiciones if t.requiere_motivo}
    assert motivos == {"prevenir", "declarar_no_competente", "ampliar_plazo", "conceder_en_parte", "negar"}
    assert not any(t.requiere_aprobacion for t in FLUJO_ARCO.transiciones)


@pytest.mark.parametrize("rol", ["capturista", "supervisora", "gestora", "sistema"])
def test_solo_la_administracion_mueve_una_solicitud(rol):
    for lado in (frozenset(), frozenset({DUENA})):
        with pytest.raises(MovimientoIlegal, match="Su cuenta no puede hacer esta acción"):
            FLUJO_ARCO.comprobar("recibida", "acreditar_identidad", Actor("x", rol, lado), contexto=EN_PLAZO)
    assert FLUJO_ARCO.disponibles("recibida", Actor("x", rol, frozenset({DUENA}))) == []


def test_la_administracion_actua_por_cualquier_institucion():
    disponibles = {t.evento for t in FLUJO_ARCO.disponibles("recibida", ADMIN)}
    assert disponibles == {"acreditar_identidad", "prevenir", "declarar_no_competente"}


def _refusa(estado, evento, mensaje, **kwargs):
    with pytest.raises(MovimientoIlegal) as error:
        FLUJO_ARCO.comprobar(estado, evento, ADMIN, **kwargs)
    assert mensaje in str(error.value)


def test_no_se_responde_sin_acreditar_la_identidad():
    for evento in ("conceder", "conceder_en_parte", "negar"):
        _refusa("recibida", evento, "cuando el estado es «Recibida»", motivo="m", contexto=EN_PLAZO)
        _refusa("subsanada", evento, "cuando el estado es «Prevención subsanada»", motivo="m", contexto=EN_PLAZO)


def test_la_prevencion_es_una_sola_y_en_su_plazo():
    _refusa("recibida", "prevenir", "El plazo para prevenir venció", motivo="Falta la identificación",
            contexto={**EN_PLAZO, "prevencion_en_plazo": False})
    _refusa("recibida", "prevenir", "El plazo para prevenir venció", motivo="Falta", contexto={})
    _refusa("recibida", "prevenir", "Escriba el motivo.", contexto=EN_PLAZO)
    assert FLUJO_ARCO.comprobar("recibida", "prevenir", ADMIN, motivo="Falta", contexto=EN_PLAZO).destino == "prevenida"
    _refusa("subsanada", "prevenir", "cuando el estado es", motivo="Otra vez", contexto=EN_PLAZO)


def test_no_presentada_solo_cuando_vencio_el_plazo_para_subsanar():
    _refusa("prevenida", "tener_por_no_presentada", "Aún corre el plazo de 10 días hábiles",
            contexto={**EN_PLAZO, "subsanacion_vencida": False})
    assert FLUJO_ARCO.comprobar("prevenida", "tener_por_no_presentada", ADMIN, contexto=EN_PLAZO).destino \
        == "no_presentada"


def test_una_sola_ampliacion_notificada_dentro_del_plazo():
    _refusa("identidad_acreditada", "ampliar_plazo", "ya se amplió una vez", motivo="Volumen",
            contexto={**EN_PLAZO, "ampliaciones": 1})
    _refusa("identidad_acreditada", "ampliar_plazo", "ese plazo ya venció", motivo="Volumen",
            contexto={**EN_PLAZO, "respuesta_en_plazo": False})
    assert FLUJO_ARCO.comprobar("identidad_acreditada", "ampliar_plazo", ADMIN, motivo="Volumen",
                                contexto=EN_PLAZO).destino == "identidad_acreditada"


@pytest.mark.parametrize("derecho, mensaje", [
    ("rectificacion", "al guardar los datos corregidos"),
    ("oposicion", "Elija al menos un tipo de institución"),
    (None, "no se hace efectivo"),
])
def test_rectificacion_y_oposicion_solo_con_lo_que_las_hace_efectivas(derecho, mensaje):
    """Rectificación only with the fields it wrote; oposición only naming kinds of institution."""
    _refusa("procedente", "hacer_efectivo", mensaje, contexto={**EN_PLAZO, "derecho": derecho})
    if derecho is not None:
        hecho = {"rectificacion": {"rectificados": ("nombre",)}, "oposicion": {"tipos_opuestos": ("salud",)}}[derecho]
        assert FLUJO_ARCO.comprobar("procedente", "hacer_efectivo", ADMIN,
                                    contexto={**EN_PLAZO, "derecho": derecho, **hecho}).destino == "efectuada"


@pytest.mark.parametrize("derecho", ["acceso", "cancelacion"])
def test_acceso_y_cancelacion_se_hacen_efectivas(derecho):
    for estado in ("procedente", "procedente_parcial"):
        assert FLUJO_ARCO.comprobar(estado, "hacer_efectivo", ADMIN,
                                    contexto={**EN_PLAZO, "derecho": derecho}).destino == "efectuada"


# ---- the terms --------------------------------------------------------------------------------

def test_plazos_de_una_solicitud_recibida_en_navidad():
    """Received Thursday 24 December 2026: 25 December, the weekends and 1 January don't count."""
    terminos = plazos(Fechas(recibida_el=date(2026, 12, 24)), CALENDARIO)
    assert terminos.no_competencia == date(2026, 12, 30)
    assert terminos.prevencion == date(2027, 1, 4)
    assert terminos.respuesta == date(2027, 1, 25)
    assert terminos.subsanacion is None and terminos.efectivo is None
    assert vence("recibida", terminos) == date(2027, 1, 25)


def test_la_ampliacion_suma_diez_dias_habiles_a_la_respuesta():
    terminos = plazos(Fechas(recibida_el=date(2026, 12, 24), ampliada_el=date(2027, 1, 20)), CALENDARIO)
    assert terminos.respuesta == date(2027, 2, 9)  # 1 February 2027 (Constitution) skipped


def test_la_prevencion_interrumpe_el_plazo_que_corre_de_nuevo_al_subsanar():
    """Received Monday 22 March 2027, prevented Tuesday 23: 10 días hábiles to correct skip Holy
    Thursday and Friday; the answer term starts again, whole, from the correction."""
    prevenida = plazos(Fechas(recibida_el=date(2027, 3, 22), prevenida_el=date(2027, 3, 23)), CALENDARIO)
    assert prevenida.respuesta is None
    assert prevenida.subsanacion == date(2027, 4, 8)
    assert vence("prevenida", prevenida) == date(2027, 4, 8)
    subsanada = plazos(Fechas(recibida_el=date(2027, 3, 22), prevenida_el=date(2027, 3, 23),
                              subsanada_el=date(2027, 4, 7)), CALENDARIO)
    assert subsanada.respuesta == date(2027, 5, 5)  # 1 May 2027 is a Saturday; 5 May is not a holiday
    assert vence("subsanada", subsanada) == subsanada.respuesta


def test_hacerla_efectiva_quince_dias_habiles_despues_de_notificar_la_respuesta():
    """Answered Tuesday 15 September 2026: 16 September (Wednesday) does not count."""
    terminos = plazos(Fechas(recibida_el=date(2026, 8, 20), respondida_el=date(2026, 9, 15)), CALENDARIO)
    assert terminos.efectivo == date(2026, 10, 7)
    assert vence("procedente", terminos) == vence("procedente_parcial", terminos) == date(2026, 10, 7)
    for final in FLUJO_ARCO.finales:
        assert vence(final, terminos) is None


def test_no_competente_en_tres_dias_habiles_en_semana_santa():
    terminos = plazos(Fechas(recibida_el=date(2027, 3, 23)), CALENDARIO)
    assert terminos.no_competencia == date(2027, 3, 30)  # 24, then 25-28 off, 29, 30
    assert terminos.prevencion == date(2027, 4, 1)
