"""The whole route of care, as the people who use it do it, through the pages."""

from __future__ import annotations

import re
from html import unescape

import pytest

from casos.canalizaciones.modelos import Canalizacion
from casos.expedientes import servicios
from casos.expedientes.modelos import Caso
from casos.extensiones import db
from casos.transiciones.modelos import HistorialTransicion, SolicitudAprobacion
from tests.conftest import datos_de_caso, enviar


@pytest.fixture
def caso(app, cuentas):
    registrado = servicios.registrar_caso(cuentas["capturista"], datos_de_caso(
        tipos_institucion=["cjm", "salud"], datos_compartibles=["identidad", "riesgo"]))
    db.session.commit()
    return registrado


def _version(html: str, accion: str) -> str:
    bloque = html[html.index(f'value="{accion}"'):]
    return re.search(r'name="version" value="(\d+)"', bloque).group(1)


def _mensajes(respuesta_cliente, cliente) -> str:
    return cliente.get(respuesta_cliente.location).get_data(as_text=True)


def test_la_ruta_completa_de_canalizacion_y_cierre(app, cuentas, como, caso):
    capturista, supervisora = como("capturista"), como("supervisora")
    receptora = como("capturista_b")
    # 1. The caseworker asks to refer the case to institution B.
    pagina = f"/canalizaciones/nueva/{caso.id}"
    respuesta = enviar(capturista, pagina, {
        "destino_id": str(cuentas.institucion_b.id), "servicios": ["juridica", "psicologica"],
        "motivo": "Requiere asesoría jurídica (sintético)"})
    assert respuesta.status_code == 302, respuesta.get_data(as_text=True)[-1500:]
    db.session.rollback()
    canalizacion = db.session.query(Canalizacion).one()
    assert canalizacion.estado == "por_aprobar"
    # Institution B knows nothing yet.
    assert receptora.get(f"/canalizaciones/{canalizacion.id}").status_code == 404
    assert receptora.get(f"/casos/{caso.id}").status_code == 404
    # 2. She cannot approve her own request; her supervisora does.
    solicitud = db.session.query(SolicitudAprobacion).one()
    bandeja = supervisora.get("/aprobaciones/").get_data(as_text=True)
    assert "Enviar" in bandeja and "Requiere asesoría jurídica" in bandeja
    respuesta = enviar(supervisora, f"/aprobaciones/{solicitud.id}",
                       {"decision": "aprobar", "version": str(solicitud.version)},
                       pagina="/aprobaciones/")
    assert "Solicitud aprobada" in _mensajes(respuesta, supervisora)
    db.session.rollback()
    assert db.session.get(Canalizacion, canalizacion.id).estado == "enviada"
    # 3. Institution B sees it in its inbox, with only the consented data, and accepts.
    recibidas = receptora.get("/canalizaciones/").get_data(as_text=True)
    assert cuentas.institucion_a.nombre in recibidas
    vista = receptora.get(f"/canalizaciones/{canalizacion.id}").get_data(as_text=True)
    assert "Canaria Xochitl Pruebasintetica" in vista  # identidad was consented
    assert "Relato canario" not in vista  # hechos were not
    respuesta = enviar(receptora, f"/canalizaciones/{canalizacion.id}/responder",
                       {"evento": "aceptar", "version": _version(vista, "aceptar")},
                       pagina=f"/canalizaciones/{canalizacion.id}")
    assert respuesta.status_code == 302
    # The case is now visible to B, showing only what was consented.
    pagina_caso = receptora.get(f"/casos/{caso.id}").get_data(as_text=True)
    assert "Canaria Xochitl Pruebasintetica" in pagina_caso
    assert "Relato canario" not in pagina_caso and "4929990001" not in pagina_caso
    # 4. B reports back (counter-referral).
    vista = receptora.get(f"/canalizaciones/{canalizacion.id}").get_data(as_text=True)
    respuesta = enviar(receptora, f"/canalizaciones/{canalizacion.id}/responder", {
        "evento": "contrarreferir", "version": _version(vista, "contrarreferir"),
        "servicios_prestados": ["juridica"], "nota": "Se dio asesoría (sintético)"},
        pagina=f"/canalizaciones/{canalizacion.id}")
    db.session.rollback()
    assert db.session.get(Canalizacion, canalizacion.id).estado == "atendida"
    # 5. The case is closed, with approval.
    ver = capturista.get(f"/casos/{caso.id}").get_data(as_text=True)
    respuesta = enviar(capturista, f"/casos/{caso.id}/transicion", {
        "evento": "cerrar", "version": _version(ver, "cerrar"), "motivo": "Atención concluida"},
        pagina=f"/casos/{caso.id}")
    assert "Solicitud enviada a supervisión" in _mensajes(respuesta, capturista)
    db.session.rollback()
    assert db.session.get(Caso, caso.id).estado == "registrado"
    cierre = db.session.query(SolicitudAprobacion).filter_by(evento="cerrar").one()
    enviar(supervisora, f"/aprobaciones/{cierre.id}",
           {"decision": "aprobar", "version": str(cierre.version)}, pagina="/aprobaciones/")
    db.session.rollback()
    assert db.session.get(Caso, caso.id).estado == "cerrado"
    # Every step is in the case history.
    historia = capturista.get(f"/casos/{caso.id}").get_data(as_text=True)
    # Every step is told in plain Spanish (flujos/ `en_historia`), never "solicitar_envio".
    destino = cuentas.institucion_b.nombre
    for paso in ("Registró el caso", f"Registró la canalización a {destino}",
                 f"Pidió a una supervisora aprobar el envío de la canalización a {destino}",
                 f"Aprobó la solicitud: enviar la canalización a {destino}",
                 f"Envió la canalización a {destino}", f"Aceptó la canalización a {destino}",
                 f"Registró la contrarreferencia de la canalización a {destino}",
                 "Pidió la aprobación de una supervisora: cerrar el caso",
                 "Aprobó la solicitud: cerrar el caso", "Cerró el caso"):
        assert paso in unescape(historia), paso
    assert "solicitar envio" not in historia and "solicitar_envio" not in historia
    assert db.session.query(HistorialTransicion).count() >= 8
