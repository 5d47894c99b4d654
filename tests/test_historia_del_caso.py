"""The case's history (casos/expedientes/historia.py): every kind of event, in plain Spanish,
in time order and Mexico City time, composed from the rows that record each one; and what a
receiving institution reads of it (only its own referral's steps and services, no reason).
Services and assignments are rows other screens create: here they are written directly."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from casos.atenciones.modelos import Atencion
from casos.bd import ahora
from casos.canalizaciones import servicios as canalizaciones
from casos.expedientes import servicios as expedientes
from casos.expedientes.modelos import Asignacion, Caso
from casos.expedientes.riesgo import instrumento
from casos.extensiones import db
from casos.ordenes import servicios as ordenes
from casos.transiciones import servicios as transiciones
from casos.transiciones.modelos import HistorialTransicion
from flujos import FLUJOS
from flujos.canalizacion import VE_LA_RECEPTORA
from tests.conftest import crear_institucion, crear_usuaria, datos_de_caso
from tests.reloj import MEXICO, hoy_en_mexico

pytestmark = pytest.mark.reloj  # dates shown and the revocation's day

FILA = re.compile(r'<tr><td class="principal">(.*?)</td>\s*<td data-etiqueta="Qué pasó">(.*?)</td>\s*'
                  r'<td data-etiqueta="Quién">(.*?)</td>\s*<td data-etiqueta="Detalle">(.*?)</td>'
                  r'(?:\s*<td data-etiqueta="Motivo">(.*?)</td>)?', re.S)
MOTIVO_CANCELACION = "Motivo canario de cancelacion: se fue al refugio del norte"
MOTIVO_ENVIO = "Motivo canario de envio a la receptora"
NOTA_ATENCION = "Nota canaria de la atencion"


def historial(cliente, caso) -> list[tuple]:
    """The history table's rows: (date, what, who, detail, reason or None)."""
    html = unescape(cliente.get(f"/casos/{caso.id}").get_data(as_text=True))
    seccion = html.split('id="titulo-historial"')[1]
    return [tuple(c.strip() if c else None for c in fila) for fila in FILA.findall(seccion)]


def _que(filas) -> list[str]:
    return [f[1] for f in filas]


def _una(filas, empieza: str) -> tuple:
    encontradas = [f for f in filas if f[1].startswith(empieza)]
    assert len(encontradas) == 1, (empieza, _que(filas))
    return encontradas[0]


def _respuestas(valor: str) -> dict:
    return {i.clave: valor for i in instrumento().indicadores}


def _enviar(caso, destino, cuentas, motivo="Sintético"):
    canalizacion = canalizaciones.solicitar(caso, cuentas["capturista"], destino=destino, servicios=["juridica"],
                                            motivo=motivo, hoy=hoy_en_mexico())
    solicitud = transiciones.pendiente_de(canalizacion, "enviar")
    transiciones.aprobar(solicitud, canalizacion, cuentas["supervisora"], version_vista=solicitud.version,
                         valores=canalizaciones.valores_al_enviar(canalizacion))
    db.session.commit()
    return canalizacion


def _atencion(caso, quien, institucion, *, canalizacion=None, tipo="psicologica", minutos=50):
    atencion = Atencion(caso=caso, canalizacion=canalizacion, institucion_id=institucion.id, tipo=tipo,
                        fecha=hoy_en_mexico(), duracion_minutos=minutos, brindada_por_id=quien.id,
                        registrada_por_id=quien.id, registrada_en=ahora())
    db.session.add(atencion)
    atencion.notas = NOTA_ATENCION
    db.session.commit()
    return atencion


@pytest.fixture
def escena(app, cuentas):
    """A case that lived a little of everything: assessed at extreme risk, then a lowering
    approved by the other supervisora; a referral to B, accepted; another referral, to a
    health service, cancelled with a reason; a protection order issued and followed up; a
    reassignment; services by the owner and by B under its referral."""
    a, b = cuentas["capturista"], cuentas["capturista_b"]
    salud = crear_institucion("SALUDX", "salud", nombre="Servicio de salud sintético")
    otra_supervisora = crear_usuaria("supervisora", cuentas.institucion_a)
    caso = expedientes.registrar_caso(a, datos_de_caso(datos_compartibles=["identidad", "hechos"]))
    db.session.commit()
    expedientes.registrar_valoracion(caso, a, _respuestas("si"), None, None)
    db.session.commit()
    propuesta = expedientes.registrar_valoracion(caso, a, _respuestas("no"), None, None)
    db.session.commit()
    solicitud = transiciones.pendiente_de(propuesta, "aplicar")
    transiciones.aprobar(solicitud, propuesta, otra_supervisora, version_vista=solicitud.version)
    expedientes.aplicar_valoracion(propuesta)
    db.session.commit()
    recibida = _enviar(caso, cuentas.institucion_b, cuentas, motivo=MOTIVO_ENVIO)
    canalizaciones.responder(recibida, "aceptar", b, version_vista=recibida.version)
    db.session.commit()
    otra = canalizaciones.solicitar(caso, a, destino=salud, servicios=["medica"], motivo="Sintético",
                                    hoy=hoy_en_mexico())
    db.session.commit()
    canalizaciones.responder(otra, "cancelar", a, version_vista=otra.version, motivo=MOTIVO_CANCELACION)
    db.session.commit()
    orden = ordenes.registrar_solicitud(caso, a, tipo="administrativa", autoridad="ministerio_publico",
                                        medidas=["prohibicion_acercarse"], solicitada_en=ahora(), notas=None)
    db.session.commit()
    ordenes.actuar(orden, "emitir", a, version_vista=orden.version, momento=ahora(), dias=60)
    db.session.commit()
    ordenes.registrar_seguimiento(orden, a)
    db.session.commit()
    db.session.add(Asignacion(caso_id=caso.id, responsable_id=otra_supervisora.id, anterior_id=a.id,
                              asignada_por_id=cuentas["supervisora"].id, momento=ahora()))
    db.session.commit()
    _atencion(caso, a, cuentas.institucion_a)
    _atencion(caso, b, cuentas.institucion_b, canalizacion=recibida, tipo="juridica", minutos=90)
    return caso, recibida, otra_supervisora


def test_la_duena_lee_toda_la_historia_en_espanol_y_en_orden(como, cuentas, escena):
    caso, _recibida, otra_supervisora = escena
    b = cuentas.institucion_b.nombre
    filas = historial(como("capturista"), caso)
    que = _que(filas)
    persona_a = f"{cuentas['capturista'].nombre} (Capturista, INSTA)"

    registro = _una(filas, "Registró el caso")
    assert registro[2] == persona_a
    # Mexico City time, not UTC.
    creado = db.session.get(Caso, caso.id).creado_en
    assert registro[0] == creado.astimezone(MEXICO).strftime("%d/%m/%Y %H:%M")
    assert registro[0] != creado.strftime("%d/%m/%Y %H:%M")
    consentimiento = _una(filas, "Registró su consentimiento para canalizar su caso")
    assert "Centro de Justicia para las Mujeres" in consentimiento[3] and "Relato de los hechos" in consentimiento[3]

    # Assessments, and a lowering that waited for a supervisora, in words.
    assert _una(filas, "Valoró el riesgo: nivel extremo")[2] == persona_a
    propuesta = _una(filas, "Valoró el riesgo y propuso el nivel bajo (requiere aprobación)")
    assert "Calculado por el instrumento: bajo" in propuesta[3]
    aprobo = _una(filas, "Aprobó la solicitud: aplicar el nivel propuesto (bajo)")
    assert aprobo[2] == f"{otra_supervisora.nombre} (Supervisora, INSTA)"
    assert _una(filas, "Aplicó el nivel de riesgo propuesto (bajo)")[3] == "Por aprobar → Vigente"

    # Referral steps name the institution; the cancelled one shows its reason to the owner.
    for paso in (f"Registró la canalización a {b}",
                 f"Pidió a una supervisora aprobar el envío de la canalización a {b}",
                 f"Aprobó la solicitud: enviar la canalización a {b}", f"Envió la canalización a {b}"):
        _una(filas, paso)
    acepto = _una(filas, f"Aceptó la canalización a {b}")
    assert acepto[2] == f"{cuentas['capturista_b'].nombre} (Capturista, INSTB)" and acepto[3] == "Enviada → Aceptada"
    cancelo = _una(filas, "Canceló la canalización a Servicio de salud sintético")
    assert cancelo[4] == MOTIVO_CANCELACION and cancelo[3] == "Por aprobar → Cancelada"
    _una(filas, "Retiró la solicitud")  # its pending approval ended with it

    # Protection order steps.
    de_la_orden = "de la orden de protección (administrativa, Ministerio Público)"
    for paso in (f"Registró la solicitud {de_la_orden}", f"Registró la emisión {de_la_orden}",
                 f"Registró un contacto de seguimiento {de_la_orden}"):
        _una(filas, paso)

    # The assignment and both services (the notes are the services section's, not here).
    asignacion = _una(filas, f"Asignó el caso a {otra_supervisora.nombre}")
    assert asignacion[2] == f"{cuentas['supervisora'].nombre} (Supervisora, INSTA)"
    assert asignacion[3] == f"Antes: {cuentas['capturista'].nombre}"
    propia = _una(filas, "Atención brindada: Atención psicológica")
    assert propia[2] == persona_a and propia[3] == f"El {hoy_en_mexico().strftime('%d/%m/%Y')}, 50 min"
    recibida = _una(filas, f"Atención brindada: Asesoría o representación jurídica (canalización a {b})")
    assert recibida[2].endswith("(Capturista, INSTB)") and "90 min" in recibida[3]
    assert not any(NOTA_ATENCION in " ".join(filter(None, f)) for f in filas)

    # Oldest first, as it happened.
    orden = [que.index(x) for x in ("Registró el caso", "Valoró el riesgo: nivel extremo",
                                    f"Aceptó la canalización a {b}",
                                    "Canceló la canalización a Servicio de salud sintético",
                                    f"Asignó el caso a {otra_supervisora.nombre}",
                                    "Atención brindada: Atención psicológica")]
    assert orden == sorted(orden)
    # No internal name of a move anywhere.
    for fila in filas:
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", fila[1]), fila


def test_cada_paso_guardado_tiene_sus_palabras(escena):
    """Every move the scene recorded, the machines' and the app's own ("crear", "solicitar",
    "seguimiento"), is told in words written for the history."""
    pasos = db.session.execute(sa.select(HistorialTransicion.entidad, HistorialTransicion.evento).distinct()).all()
    assert len(pasos) >= 11
    for entidad, evento in pasos:
        assert evento in FLUJOS[entidad].en_historia, (entidad, evento)


def test_cada_evento_de_cada_flujo_tiene_su_etiqueta_para_la_historia():
    for flujo in FLUJOS.values():
        for t in flujo.transiciones:
            texto = flujo.en_historia.get(t.evento)
            assert texto and texto[0].isupper() and "_" not in texto, (flujo.nombre, t.evento)
        assert not set(flujo.en_historia) - {t.evento for t in flujo.transiciones} - {
            "crear", "solicitar", "seguimiento"}, flujo.nombre


def test_la_receptora_solo_lee_su_canalizacion_y_sus_atenciones(como, cuentas, escena):
    caso, recibida, _ = escena
    b = cuentas.institucion_b.nombre
    cliente = como("capturista_b")
    filas = historial(cliente, caso)
    # Its referral's steps from its sending on (creating it and asking for approval were the
    # owner's internal work), and the service it gave under it: nothing else.
    pasos = [h for h in transiciones.historia_de(recibida) if h.evento in VE_LA_RECEPTORA]
    assert {h.evento for h in transiciones.historia_de(recibida)} - VE_LA_RECEPTORA  # there were some
    assert len(filas) == len(pasos) + 1
    assert sum(f[1].endswith(f"la canalización a {b}") for f in filas) == len(pasos)
    _una(filas, "Atención brindada: Asesoría o representación jurídica")
    # No reason at all: there is no such column for it, and none of the owner's is printed.
    assert all(f[4] is None for f in filas)
    html = unescape(cliente.get(f"/casos/{caso.id}").get_data(as_text=True))
    for ajeno in (MOTIVO_CANCELACION, MOTIVO_ENVIO, "Servicio de salud sintético", "SALUDX",
                  "Atención psicológica", "Asignó el caso", "Valoró el riesgo", "orden de protección",
                  "Registró el caso", "Aprobó la solicitud", "consentimiento para canalizar",
                  "Registró la canalización", "Pidió a una supervisora aprobar el envío"):
        assert ajeno not in html, ajeno


def test_una_revocacion_anterior_a_la_migracion_se_lee_sin_motivo(como, cuentas, app):
    """Revocations recorded before the reason existed (the migration gave them the day and
    'ella_persona'): the page and the history say so instead of failing."""
    caso = expedientes.registrar_caso(cuentas["capturista"], datos_de_caso())
    db.session.commit()
    consentimiento = caso.consentimiento
    consentimiento.revocado_en = ahora() - timedelta(minutes=5)
    consentimiento.revocada_el = hoy_en_mexico()
    consentimiento.revocacion_informada_por = "ella_persona"
    db.session.commit()
    cliente = como("capturista")
    html = unescape(cliente.get(f"/casos/{caso.id}").get_data(as_text=True))
    assert "No se registró (revocación anterior a este dato)." in html
    fila = _una(historial(cliente, caso), "Registró que ella revocó su consentimiento")
    assert fila[2] == "Sistema" and fila[3] == "Informó: Ella misma, en persona"
