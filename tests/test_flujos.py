"""The workflows on their own: pure domain code, no app, no database.

Every machine is checked against what it declares (states, transitions, who may fire what,
approval, reason, guards), `Flujo.comprobar` refuses each kind of illegal move with its Spanish
message, and the state diagrams in docs/FLUJOS.md are the ones the definitions generate.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from transitions import Machine

import flujos
from flujos import FLUJOS, Actor, Flujo, MovimientoIlegal, Transicion, plazos
from flujos.aprobacion import FLUJO_SOLICITUD, FLUJO_VALORACION
from flujos.arco import FLUJO_ARCO
from flujos.base import CASO, CUALQUIERA, DUENA, RECEPTORA, SISTEMA, SUPERVISION
from flujos.canalizacion import FLUJO_CANALIZACION
from flujos.caso import ABIERTOS, FLUJO_CASO
from flujos.orden_proteccion import FLUJO_ORDEN

RAIZ = Path(__file__).resolve().parent.parent

CAPTURISTA = Actor("c-1", "capturista", frozenset({DUENA}))
SUPERVISORA = Actor("s-1", "supervisora", frozenset({DUENA}))
RECEPTORA_CAPTURISTA = Actor("c-b", "capturista", frozenset({RECEPTORA}))
AJENA = Actor("c-x", "capturista", frozenset())  # sees nothing of this case
GESTORA = Actor("g-1", "gestora", frozenset({DUENA}))
ADMIN = Actor("a-1", "admin", frozenset({DUENA}))
SISTEMA_ACTOR = Actor(None, "sistema", frozenset())


def _aristas(flujo: Flujo) -> set[tuple[str, str, str]]:
    return {(t.evento, origen, t.destino) for t in flujo.transiciones for origen in t.origen}


def _por_evento(flujo: Flujo) -> dict[str, Transicion]:
    return {t.evento: t for t in flujo.transiciones}


# ---- what each machine declares -------------------------------------------------------------

def test_los_flujos_registrados_son_seis_y_se_llaman_como_sus_tablas():
    assert FLUJOS == {"caso": FLUJO_CASO, "canalizacion": FLUJO_CANALIZACION,
                      "orden_proteccion": FLUJO_ORDEN, "solicitud_aprobacion": FLUJO_SOLICITUD,
                      "valoracion_riesgo": FLUJO_VALORACION, "solicitud_arco": FLUJO_ARCO}
    for nombre, flujo in FLUJOS.items():
        assert flujo.nombre == nombre


def test_el_caso_va_de_registrado_a_cerrado_y_puede_reabrirse():
    assert list(FLUJO_CASO.estados) == ["registrado", "en_atencion", "en_seguimiento", "cerrado",
                                        "reabierto"]
    assert FLUJO_CASO.inicial == "registrado" and FLUJO_CASO.finales == {"cerrado"}
    assert ABIERTOS == ("registrado", "en_atencion", "en_seguimiento", "reabierto")
    assert _aristas(FLUJO_CASO) == {
        ("atender", "registrado", "en_atencion"), ("atender", "reabierto", "en_atencion"),
        ("dar_seguimiento", "en_atencion", "en_seguimiento"),
        ("volver_a_atencion", "en_seguimiento", "en_atencion"),
        *{("cerrar", estado, "cerrado") for estado in ABIERTOS},
        ("reabrir", "cerrado", "reabierto"),
    }
    t = _por_evento(FLUJO_CASO)
    # Closing needs a second person and a reason; reopening needs a reason, from any side.
    assert t["cerrar"].requiere_aprobacion and t["cerrar"].requiere_motivo
    assert t["reabrir"].requiere_motivo and not t["reabrir"].requiere_aprobacion
    assert t["reabrir"].lado == DUENA  # the owning institution keeps the case
    for evento in ("atender", "dar_seguimiento", "volver_a_atencion"):
        assert not t[evento].requiere_aprobacion and not t[evento].requiere_motivo
        assert t[evento].lado == DUENA and t[evento].roles == CASO


def test_la_canalizacion_declara_envio_con_aprobacion_y_respuesta_de_la_receptora():
    assert list(FLUJO_CANALIZACION.estados) == [
        "borrador", "por_aprobar", "enviada", "aceptada", "rechazada", "atendida", "concluida",
        "cancelada"]
    assert FLUJO_CANALIZACION.inicial == "borrador"
    assert FLUJO_CANALIZACION.finales == {"rechazada", "concluida", "cancelada"}
    assert _aristas(FLUJO_CANALIZACION) == {
        ("solicitar_envio", "borrador", "por_aprobar"),
        ("enviar", "por_aprobar", "enviada"),
        ("devolver", "por_aprobar", "borrador"),
        ("aceptar", "enviada", "aceptada"),
        ("rechazar", "enviada", "rechazada"),
        ("contrarreferir", "aceptada", "atendida"),
        ("concluir", "atendida", "concluida"),
        ("cancelar", "borrador", "cancelada"), ("cancelar", "por_aprobar", "cancelada"),
        ("cancelar", "enviada", "cancelada"),
    }
    t = _por_evento(FLUJO_CANALIZACION)
    assert t["enviar"].requiere_aprobacion and t["enviar"].al_rechazar == "devolver"
    assert t["devolver"].requiere_aprobacion and t["devolver"].requiere_motivo
    # Only the receiving institution answers; only the sending one concludes or cancels.
    assert {e for e, x in t.items() if x.lado == RECEPTORA} == {"aceptar", "rechazar", "contrarreferir"}
    assert {e for e, x in t.items() if x.lado == DUENA} == {
        "solicitar_envio", "enviar", "devolver", "concluir", "cancelar"}
    assert {e for e, x in t.items() if x.requiere_motivo} == {"devolver", "rechazar", "cancelar"}


def test_la_orden_de_proteccion_declara_emision_prorroga_vencimiento_y_levantamiento():
    assert list(FLUJO_ORDEN.estados) == ["solicitada", "vigente", "prorrogada", "vencida",
                                         "levantada", "negada"]
    assert FLUJO_ORDEN.inicial == "solicitada"
    assert FLUJO_ORDEN.finales == {"vencida", "levantada", "negada"}
    assert _aristas(FLUJO_ORDEN) == {
        ("emitir", "solicitada", "vigente"), ("negar", "solicitada", "negada"),
        ("prorrogar", "vigente", "prorrogada"),
        ("levantar", "vigente", "levantada"), ("levantar", "prorrogada", "levantada"),
        ("vencer", "vigente", "vencida"), ("vencer", "prorrogada", "vencida"),
    }
    t = _por_evento(FLUJO_ORDEN)
    assert t["vencer"].roles == SISTEMA  # only the scheduled job lets an order expire
    assert all(x.lado == CUALQUIERA for x in t.values())
    assert {e for e, x in t.items() if x.requiere_motivo} == {"negar", "levantar"}
    assert not any(x.requiere_aprobacion for x in t.values())
    assert len(t["levantar"].guardas) == 1 and len(t["prorrogar"].guardas) == 1


def test_la_solicitud_de_aprobacion_y_la_valoracion_por_aprobar():
    assert FLUJO_SOLICITUD.inicial == "pendiente"
    assert _aristas(FLUJO_SOLICITUD) == {
        ("aprobar", "pendiente", "aprobada"), ("rechazar", "pendiente", "rechazada"),
        ("retirar", "pendiente", "retirada"), ("anular", "pendiente", "sin_efecto")}
    t = _por_evento(FLUJO_SOLICITUD)
    assert t["aprobar"].roles == SUPERVISION and t["rechazar"].roles == SUPERVISION
    assert t["rechazar"].requiere_motivo and not t["aprobar"].requiere_motivo
    assert FLUJO_SOLICITUD.finales == {"aprobada", "rechazada", "retirada", "sin_efecto"}

    assert _aristas(FLUJO_VALORACION) == {("aplicar", "por_aprobar", "vigente"),
                                          ("descartar", "por_aprobar", "rechazada")}
    v = _por_evento(FLUJO_VALORACION)
    assert v["aplicar"].requiere_aprobacion and v["aplicar"].al_rechazar == "descartar"
    assert v["descartar"].requiere_aprobacion and v["descartar"].requiere_motivo


@pytest.mark.parametrize("flujo", list(FLUJOS.values()), ids=list(FLUJOS))
def test_cada_flujo_es_coherente(flujo):
    """Every transition joins declared states; events are unique; al_rechazar names a real
    event leaving the same state; every state has a Spanish label."""
    assert flujo.inicial in flujo.estados and flujo.finales <= set(flujo.estados)
    eventos = [t.evento for t in flujo.transiciones]
    assert len(eventos) == len(set(eventos))
    for t in flujo.transiciones:
        assert set(t.origen) <= set(flujo.estados) and t.destino in flujo.estados
        assert t.etiqueta and t.roles and t.lado in (DUENA, RECEPTORA, CUALQUIERA)
        if t.al_rechazar:
            assert set(flujo.transicion(t.al_rechazar).origen) >= set(t.origen)
    assert all(etiqueta.strip() for etiqueta in flujo.estados.values())


@pytest.mark.parametrize("flujo", list(FLUJOS.values()), ids=list(FLUJOS))
def test_todo_camino_declarado_se_puede_recorrer(flujo):
    """Each declared edge is accepted by `comprobar` for someone allowed, with what it needs."""
    for t in flujo.transiciones:
        rol = sorted(t.roles)[0]
        lados = frozenset({DUENA, RECEPTORA})
        quien = Actor("x", rol, lados)
        contexto = {"valoracion_posterior_a_emision": True, "prorrogas": 0, "consentimiento_permite": True,
                    # ARCO requests (flujos/arco.py): within their terms, a right the system carries out.
                    "prevencion_en_plazo": True, "subsanacion_vencida": True, "respuesta_en_plazo": True,
                    "derecho": "cancelacion"}
        for origen in t.origen:
            assert flujo.comprobar(origen, t.evento, quien, motivo="Motivo escrito",
                                   contexto=contexto, por_aprobacion=True) is t


# ---- comprobar refuses, in Spanish ----------------------------------------------------------

def _refusa(flujo, estado, evento, actor, mensaje, **kwargs):
    with pytest.raises(MovimientoIlegal) as error:
        flujo.comprobar(estado, evento, actor, **kwargs)
    assert str(error.value) == mensaje
    return error.value


def test_comprobar_rechaza_el_estado_equivocado():
    _refusa(FLUJO_CASO, "registrado", "dar_seguimiento", CAPTURISTA,
            "No se puede «pasar a seguimiento» cuando el estado es «Registrado».")
    _refusa(FLUJO_CASO, "cerrado", "atender", CAPTURISTA,
            "No se puede «iniciar atención» cuando el estado es «Cerrado».")
    _refusa(FLUJO_CANALIZACION, "aceptada", "aceptar", RECEPTORA_CAPTURISTA,
            "No se puede «aceptar» cuando el estado es «Aceptada».")
    _refusa(FLUJO_ORDEN, "levantada", "prorrogar", CAPTURISTA,
            "No se puede «registrar prórroga» cuando el estado es «Levantada».")
    _refusa(FLUJO_SOLICITUD, "aprobada", "rechazar", SUPERVISORA,
            "No se puede «rechazar» cuando el estado es «Aprobada».", motivo="Tarde")


def test_comprobar_rechaza_un_evento_que_no_existe():
    _refusa(FLUJO_CASO, "registrado", "borrar_todo", SUPERVISORA, "Esa acción no existe.")
    _refusa(FLUJO_CASO, "registrado", "to_cerrado", SUPERVISORA, "Esa acción no existe.")
    _refusa(FLUJO_CASO, "registrado", "", SUPERVISORA, "Esa acción no existe.")


@pytest.mark.parametrize("actor", [GESTORA, ADMIN, SISTEMA_ACTOR], ids=["gestora", "admin", "sistema"])
def test_comprobar_rechaza_el_rol_equivocado(actor):
    _refusa(FLUJO_CASO, "registrado", "atender", actor,
            "Su cuenta no puede hacer esta acción en este caso.")


def test_una_capturista_nunca_aprueba_ni_rechaza():
    _refusa(FLUJO_SOLICITUD, "pendiente", "aprobar", CAPTURISTA,
            "Su cuenta no puede hacer esta acción en este caso.")
    _refusa(FLUJO_SOLICITUD, "pendiente", "rechazar", CAPTURISTA,
            "Su cuenta no puede hacer esta acción en este caso.", motivo="No")


def test_comprobar_rechaza_el_lado_equivocado():
    sin_lado = "Su cuenta no puede hacer esta acción en este caso."
    # The sending institution cannot answer its own referral…
    _refusa(FLUJO_CANALIZACION, "enviada", "aceptar", CAPTURISTA, sin_lado)
    _refusa(FLUJO_CANALIZACION, "aceptada", "contrarreferir", SUPERVISORA, sin_lado)
    # …the receiving one cannot conclude or cancel it, nor move the owner's case…
    _refusa(FLUJO_CANALIZACION, "atendida", "concluir", RECEPTORA_CAPTURISTA, sin_lado)
    _refusa(FLUJO_CANALIZACION, "enviada", "cancelar", RECEPTORA_CAPTURISTA, sin_lado, motivo="x")
    _refusa(FLUJO_CASO, "registrado", "atender", RECEPTORA_CAPTURISTA, sin_lado)
    # …and an institution on neither side can do nothing that is not open to any side.
    _refusa(FLUJO_CANALIZACION, "enviada", "aceptar", AJENA, sin_lado)
    _refusa(FLUJO_CASO, "registrado", "atender", AJENA, sin_lado)
    # The owning institution keeps the case: a receiving one cannot reopen it.
    _refusa(FLUJO_CASO, "cerrado", "reabrir", RECEPTORA_CAPTURISTA, sin_lado, motivo="Volvió")


def test_lo_que_necesita_aprobacion_no_se_dispara_directamente():
    necesita = "Esta acción necesita la aprobación de una supervisora."
    # Not even a supervisora, and not even with a reason: only the approval service.
    _refusa(FLUJO_CASO, "en_atencion", "cerrar", SUPERVISORA, necesita, motivo="Concluyó")
    _refusa(FLUJO_CANALIZACION, "por_aprobar", "enviar", SUPERVISORA, necesita)
    _refusa(FLUJO_CANALIZACION, "por_aprobar", "devolver", SUPERVISORA, necesita, motivo="x")
    _refusa(FLUJO_VALORACION, "por_aprobar", "aplicar", SUPERVISORA, necesita)
    assert FLUJO_CASO.comprobar("en_atencion", "cerrar", SUPERVISORA, motivo="Concluyó",
                                por_aprobacion=True).destino == "cerrado"


@pytest.mark.parametrize("motivo", [None, "", "   \n\t"])
def test_falta_el_motivo(motivo):
    escriba = "Escriba el motivo."
    _refusa(FLUJO_CASO, "cerrado", "reabrir", CAPTURISTA, escriba, motivo=motivo)
    _refusa(FLUJO_CASO, "registrado", "cerrar", CAPTURISTA, escriba, motivo=motivo,
            por_aprobacion=True)
    _refusa(FLUJO_CANALIZACION, "enviada", "rechazar", RECEPTORA_CAPTURISTA, escriba, motivo=motivo)
    _refusa(FLUJO_SOLICITUD, "pendiente", "rechazar", SUPERVISORA, escriba, motivo=motivo)
    _refusa(FLUJO_ORDEN, "solicitada", "negar", CAPTURISTA, escriba, motivo=motivo)
    _refusa(FLUJO_ORDEN, "vigente", "levantar", CAPTURISTA, escriba, motivo=motivo,
            contexto={"valoracion_posterior_a_emision": True})


def test_levantar_una_orden_requiere_una_valoracion_posterior_a_su_emision():
    mensaje = "Antes de levantar la orden registre una nueva valoración de riesgo."
    for contexto in (None, {}, {"valoracion_posterior_a_emision": False}):
        for estado in ("vigente", "prorrogada"):
            _refusa(FLUJO_ORDEN, estado, "levantar", CAPTURISTA, mensaje, motivo="Cesó el riesgo",
                    contexto=contexto)
    t = FLUJO_ORDEN.comprobar("prorrogada", "levantar", CAPTURISTA, motivo="Cesó el riesgo",
                              contexto={"valoracion_posterior_a_emision": True})
    assert t.destino == "levantada"


def test_una_orden_se_prorroga_una_sola_vez():
    _refusa(FLUJO_ORDEN, "vigente", "prorrogar", CAPTURISTA,
            "La orden ya se prorrogó una vez; la ley permite una prórroga de hasta 30 días.",
            contexto={"prorrogas": 1})
    # Once extended it is "prorrogada", and from there there is no second extension.
    _refusa(FLUJO_ORDEN, "prorrogada", "prorrogar", CAPTURISTA,
            "No se puede «registrar prórroga» cuando el estado es «Prorrogada».",
            contexto={"prorrogas": 0})
    assert FLUJO_ORDEN.comprobar("vigente", "prorrogar", CAPTURISTA,
                                 contexto={"prorrogas": 0}).destino == "prorrogada"


def test_solo_el_sistema_vence_una_orden():
    for quien in (CAPTURISTA, SUPERVISORA):
        _refusa(FLUJO_ORDEN, "vigente", "vencer", quien,
                "Su cuenta no puede hacer esta acción en este caso.")
    assert FLUJO_ORDEN.comprobar("vigente", "vencer", SISTEMA_ACTOR).destino == "vencida"
    assert FLUJO_ORDEN.comprobar("prorrogada", "vencer", SISTEMA_ACTOR).destino == "vencida"


def test_el_primer_motivo_es_el_que_se_muestra():
    """Wrong state comes before wrong role, which comes before approval and reason."""
    _refusa(FLUJO_CASO, "cerrado", "cerrar", GESTORA,
            "No se puede «cerrar el caso» cuando el estado es «Cerrado».")
    _refusa(FLUJO_CASO, "registrado", "cerrar", GESTORA,
            "Su cuenta no puede hacer esta acción en este caso.")
    _refusa(FLUJO_CASO, "registrado", "cerrar", CAPTURISTA,
            "Esta acción necesita la aprobación de una supervisora.")


# ---- disponibles: the buttons a person sees --------------------------------------------------

def _eventos(flujo, estado, actor):
    return [t.evento for t in flujo.disponibles(estado, actor)]


def test_disponibles_lista_solo_lo_que_el_actor_puede_hacer():
    assert _eventos(FLUJO_CASO, "registrado", CAPTURISTA) == ["atender", "cerrar"]
    assert _eventos(FLUJO_CASO, "en_atencion", SUPERVISORA) == ["dar_seguimiento", "cerrar"]
    assert _eventos(FLUJO_CASO, "cerrado", CAPTURISTA) == ["reabrir"]
    assert _eventos(FLUJO_CASO, "registrado", RECEPTORA_CAPTURISTA) == []
    assert _eventos(FLUJO_CASO, "cerrado", RECEPTORA_CAPTURISTA) == []
    assert _eventos(FLUJO_CASO, "registrado", GESTORA) == []
    assert _eventos(FLUJO_CANALIZACION, "enviada", CAPTURISTA) == ["cancelar"]
    assert _eventos(FLUJO_CANALIZACION, "enviada", RECEPTORA_CAPTURISTA) == ["aceptar", "rechazar"]
    assert _eventos(FLUJO_CANALIZACION, "aceptada", RECEPTORA_CAPTURISTA) == ["contrarreferir"]
    assert _eventos(FLUJO_CANALIZACION, "atendida", CAPTURISTA) == ["concluir"]
    assert _eventos(FLUJO_CANALIZACION, "enviada", AJENA) == []
    assert _eventos(FLUJO_SOLICITUD, "pendiente", CAPTURISTA) == ["retirar", "anular"]
    assert _eventos(FLUJO_SOLICITUD, "pendiente", SUPERVISORA) == ["aprobar", "rechazar", "retirar",
                                                                   "anular"]
    for flujo in FLUJOS.values():
        for estado in flujo.finales - {"cerrado", "vigente"}:
            assert _eventos(flujo, estado, Actor("x", "supervisora", frozenset({DUENA, RECEPTORA}))) == []


def test_disponibles_nunca_ofrece_transiciones_del_sistema():
    assert _eventos(FLUJO_ORDEN, "vigente", CAPTURISTA) == ["prorrogar", "levantar"]
    assert _eventos(FLUJO_ORDEN, "prorrogada", CAPTURISTA) == ["levantar"]
    # Not even to an actor with the system's role, who could fire it.
    assert _eventos(FLUJO_ORDEN, "vigente", SISTEMA_ACTOR) == []
    for flujo in FLUJOS.values():
        for estado in flujo.estados:
            todos = Actor("x", "sistema", frozenset({DUENA, RECEPTORA}))
            assert all(t.roles != SISTEMA for t in flujo.disponibles(estado, todos))


def test_lo_disponible_es_lo_que_comprobar_acepta():
    """A button shown is never refused for role or side (only for reason, approval or guard)."""
    actores = (CAPTURISTA, SUPERVISORA, RECEPTORA_CAPTURISTA, AJENA, GESTORA)
    for flujo in FLUJOS.values():
        for estado in flujo.estados:
            for quien in actores:
                for t in flujo.disponibles(estado, quien):
                    flujo.comprobar(estado, t.evento, quien, motivo="Motivo", por_aprobacion=True,
                                    contexto={"valoracion_posterior_a_emision": True, "consentimiento_permite": True})


# ---- transitions: one shared machine, no models kept -----------------------------------------

@pytest.mark.parametrize("flujo", list(FLUJOS.values()), ids=list(FLUJOS))
def test_la_maquina_se_construye_sin_modelo_y_sin_transiciones_automaticas(flujo):
    maquina = flujo._maquina
    assert isinstance(maquina, Machine)
    assert len(maquina.models) == 0
    assert maquina.auto_transitions is False
    assert not any(evento.startswith("to_") for evento in maquina.events)
    assert set(maquina.events) == {t.evento for t in flujo.transiciones}
    assert set(maquina.states) == set(flujo.estados)
    assert maquina.initial == flujo.inicial
    for estado in flujo.estados:
        assert not hasattr(maquina, f"to_{estado}")
        assert not hasattr(flujo, f"to_{estado}")


def test_muchas_comprobaciones_no_guardan_modelos_en_la_maquina():
    for _ in range(200):
        FLUJO_CASO.comprobar("registrado", "atender", CAPTURISTA)
        FLUJO_CANALIZACION.comprobar("enviada", "aceptar", RECEPTORA_CAPTURISTA)
        with pytest.raises(MovimientoIlegal):
            FLUJO_ORDEN.comprobar("vigente", "levantar", CAPTURISTA, motivo="x")
        with pytest.raises(MovimientoIlegal):
            FLUJO_CASO.comprobar("cerrado", "dar_seguimiento", CAPTURISTA)
    for flujo in FLUJOS.values():
        assert len(flujo._maquina.models) == 0


def test_comprobar_no_cambia_nada_fuera_de_si():
    """It returns the declared transition and keeps no state: the same call gives the same answer."""
    t = FLUJO_CASO.comprobar("registrado", "atender", CAPTURISTA)
    assert t is FLUJO_CASO.transicion("atender")
    assert FLUJO_CASO.comprobar("registrado", "atender", CAPTURISTA) is t
    assert FLUJO_CASO.disponibles("registrado", CAPTURISTA) == FLUJO_CASO.disponibles("registrado", CAPTURISTA)


def _python(codigo: str) -> str:
    entorno = {**os.environ, "PYTHONUTF8": "1", "PYTHONIOENCODING": "utf-8"}
    resultado = subprocess.run([sys.executable, "-c", codigo], cwd=RAIZ, capture_output=True,
                               env=entorno, check=True)
    return resultado.stdout.decode("utf-8")


def test_flujos_no_importa_flask_ni_sqlalchemy():
    salida = _python(
        "import sys, flujos, flujos.diagramas, flujos.plazos\n"
        "print(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('flask', 'sqlalchemy', 'flask_sqlalchemy', 'werkzeug', 'casos')))")
    assert salida.strip() == "[]"
    assert _python("import sys, flujos; print('transitions' in sys.modules)").strip() == "True"


# ---- deadlines as data -------------------------------------------------------------------------

def test_plazos_de_respuesta_de_una_canalizacion():
    assert plazos.horas_respuesta_canalizacion(urgente=False, salud_por_violencia_sexual=False) == 72
    assert plazos.horas_respuesta_canalizacion(urgente=True, salud_por_violencia_sexual=False) == 24
    assert plazos.horas_respuesta_canalizacion(urgente=False, salud_por_violencia_sexual=True) == 12
    assert plazos.horas_respuesta_canalizacion(urgente=True, salud_por_violencia_sexual=True) == 12


def test_plazos_de_la_orden_de_proteccion_son_los_de_la_ley():
    assert plazos.ORDEN_EMISION_HORAS == 4
    assert plazos.ORDEN_VIGENCIA_DIAS == 60 and plazos.ORDEN_PRORROGA_DIAS == 30
    assert plazos.ORDEN_SEGUIMIENTO_HORAS == 24 and plazos.ORDEN_SEGUIMIENTO_DIAS == 6


# ---- the diagrams --------------------------------------------------------------------------

def test_el_documento_de_flujos_es_el_que_generan_las_definiciones():
    entorno = {**os.environ, "PYTHONUTF8": "1", "PYTHONIOENCODING": "utf-8"}
    generado = subprocess.run([sys.executable, "-m", "flujos.diagramas"], cwd=RAIZ,
                              capture_output=True, env=entorno, check=True).stdout
    documento = (RAIZ / "docs" / "FLUJOS.md").read_bytes()
    assert generado == documento, (
        "docs/FLUJOS.md no coincide con flujos/: regenérelo con "
        "`python -m flujos.diagramas > docs/FLUJOS.md`")


def test_cada_estado_y_cada_evento_aparece_en_el_diagrama():
    from flujos.diagramas import documento, mermaid

    texto = (RAIZ / "docs" / "FLUJOS.md").read_text(encoding="utf-8")
    assert texto == documento()
    for nombre, flujo in FLUJOS.items():
        seccion = texto.split(f"## {nombre}\n", 1)[1].split("```", 2)[1]
        assert seccion.startswith("mermaid\nstateDiagram-v2")
        assert seccion.strip() == "mermaid\n" + mermaid(flujo)
        assert f"[*] --> {flujo.inicial}" in seccion
        for estado, etiqueta in flujo.estados.items():
            assert f"    {estado} : {etiqueta}\n" in seccion
        for t in flujo.transiciones:
            for origen in t.origen:
                flecha = f"    {origen} --> {t.destino} : {t.evento} ("
                assert flecha in seccion, flecha
                linea = seccion[seccion.index(flecha):].split("\n", 1)[0]
                assert ("aprobación" in linea) == t.requiere_aprobacion
                assert ("motivo" in linea) == t.requiere_motivo
                assert all(rol in linea for rol in t.roles)
        for final in flujo.finales:
            assert f"    {final} --> [*]" in seccion


def test_el_modulo_flujos_exporta_su_api():
    assert set(flujos.__all__) == {"FLUJOS", "Actor", "Flujo", "MovimientoIlegal", "Transicion"}


def test_enviar_una_canalizacion_exige_su_consentimiento_vigente():
    """The approval of a sending is checked against her consent as it is then: without the
    caller saying it still allows it, nothing is sent (issue 11: a revoked consent was sent)."""
    for contexto in ({}, {"consentimiento_permite": False}, {"consentimiento_permite": "si"}):
        _refusa(FLUJOS["canalizacion"], "por_aprobar", "enviar", SUPERVISORA,
                "El consentimiento de la mujer ya no permite enviar el caso a esa institución.",
                por_aprobacion=True, contexto=contexto)
