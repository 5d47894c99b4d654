"""What a receiving institution learns from the case page besides the consented categories:
only the steps of its own referral, and protection orders only with her risk shared. Another
referral would tell it where else she went (a health service, a shelter)."""

from __future__ import annotations

from html import unescape

import pytest

from casos.bd import ahora
from casos.canalizaciones import servicios as canalizaciones
from casos.expedientes.servicios import registrar_caso
from casos.extensiones import db
from casos.ordenes import servicios as ordenes
from casos.transiciones import servicios as transiciones
from flujos.canalizacion import VE_LA_RECEPTORA
from tests.conftest import crear_institucion, crear_usuaria, datos_de_caso
from tests.reloj import hoy_en_mexico


def _enviar(caso, destino, cuentas):
    canalizacion = canalizaciones.solicitar(caso, cuentas["capturista"], destino=destino,
                                            servicios=["juridica"], motivo="Sintético", hoy=hoy_en_mexico())
    solicitud = transiciones.pendiente_de(canalizacion, "enviar")
    transiciones.aprobar(solicitud, canalizacion, cuentas["supervisora"], version_vista=solicitud.version,
                         valores=canalizaciones.valores_al_enviar(canalizacion))
    return canalizacion


@pytest.mark.parametrize("compartidas", [["identidad"], ["identidad", "riesgo"]])
def test_la_receptora_solo_ve_los_pasos_de_su_canalizacion(como, cuentas, compartidas):
    salud = crear_institucion("SALUDX", "salud", nombre="Servicio de salud sintético")
    crear_usuaria("capturista", salud)
    caso = registrar_caso(cuentas["capturista"], datos_de_caso(datos_compartibles=compartidas))
    propia = _enviar(caso, cuentas.institucion_b, cuentas)
    canalizaciones.responder(propia, "aceptar", cuentas["capturista_b"], version_vista=propia.version)
    _enviar(caso, salud, cuentas)  # another referral: none of B's business
    ordenes.registrar_solicitud(caso, cuentas["capturista"], tipo="administrativa",
                                autoridad="ministerio_publico", medidas=["prohibicion_acercarse"],
                                solicitada_en=ahora(), notas=None)
    db.session.commit()

    html = unescape(como("capturista_b").get(f"/casos/{caso.id}").get_data(as_text=True))
    assert "SALUDX" not in html and "Servicio de salud sintético" not in html
    # Her own referral's steps, and nothing else: not the other referral's, not the order's,
    # not the approvals of the owner's supervisora, not the registration or the assessments,
    # not how its own referral was prepared before it was sent.
    historial = html.split('id="titulo-historial"')[1]
    pasos = [h for h in transiciones.historia_de(propia) if h.evento in VE_LA_RECEPTORA]
    destino = cuentas.institucion_b.nombre
    assert historial.count("<tr><td") == len(pasos) == historial.count(f"la canalización a {destino}")
    assert f"Aceptó la canalización a {destino}" in historial and "Aceptada" in historial
    for ajeno in ("orden de protección", "solicitud", "Registró el caso", "consentimiento", "Valoró",
                  "Registró la canalización", "Pidió a una supervisora"):
        assert ajeno not in historial, ajeno
    assert ("Órdenes de protección" in html) == ("riesgo" in compartidas)
    # The owner sees every step, both referrals and the order.
    propio = como("capturista").get(f"/casos/{caso.id}").get_data(as_text=True)
    assert "Servicio de salud sintético" in propio and "Órdenes de protección" in propio


def test_la_receptora_no_ve_como_se_preparo_su_canalizacion(como, cuentas):
    """Sent back to draft by A's supervisora (with her reason), asked again, sent, accepted: on
    the referral's page and in the case's history B reads its steps from the sending on."""
    devolucion = "Motivo canario de devolucion"
    caso = registrar_caso(cuentas["capturista"], datos_de_caso())
    canalizacion = canalizaciones.solicitar(caso, cuentas["capturista"], destino=cuentas.institucion_b,
                                            servicios=["juridica"], motivo="Sintético", hoy=hoy_en_mexico())
    solicitud = transiciones.pendiente_de(canalizacion, "enviar")
    transiciones.rechazar(solicitud, canalizacion, cuentas["supervisora"], version_vista=solicitud.version,
                          motivo=devolucion)
    canalizaciones.responder(canalizacion, "solicitar_envio", cuentas["capturista"],
                             version_vista=canalizacion.version)
    solicitud = transiciones.pendiente_de(canalizacion, "enviar")
    transiciones.aprobar(solicitud, canalizacion, cuentas["supervisora"], version_vista=solicitud.version,
                         valores=canalizaciones.valores_al_enviar(canalizacion))
    canalizaciones.responder(canalizacion, "aceptar", cuentas["capturista_b"], version_vista=canalizacion.version)
    db.session.commit()

    receptora = como("capturista_b")
    pagina = unescape(receptora.get(f"/canalizaciones/{canalizacion.id}").get_data(as_text=True))
    pasos = pagina.split("Historial de la canalización")[1]
    assert pasos.count("<li>") == 2 and "Borrador" not in pasos and "Por aprobar" not in pasos
    caso_b = unescape(receptora.get(f"/casos/{caso.id}").get_data(as_text=True))
    for html in (pagina, caso_b):
        assert devolucion not in html and "Devolvió a borrador" not in html
    # A, the sender, keeps all of it.
    propia = unescape(como("capturista").get(f"/canalizaciones/{canalizacion.id}").get_data(as_text=True))
    assert devolucion in propia and "Devolvió a borrador la canalización (queda: borrador)" in propia
