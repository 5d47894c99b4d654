"""Her own request for approval can be withdrawn by its author, and by nobody else (issue 11,
item 6): a supervisora alone in her institution would otherwise wait for ever."""

from __future__ import annotations

import re

import sqlalchemy as sa

from casos.auditoria.modelos import EventoAuditoria
from casos.canalizaciones import servicios as canalizaciones
from casos.canalizaciones.modelos import Canalizacion
from casos.expedientes.servicios import registrar_caso
from casos.extensiones import db
from casos.transiciones.modelos import SolicitudAprobacion
from tests.conftest import crear_institucion, crear_usuaria, datos_de_caso, entrar, enviar
from tests.reloj import hoy_en_mexico


def _solicitud_de(autora, destino):
    caso = registrar_caso(autora, datos_de_caso())
    canalizacion = canalizaciones.solicitar(caso, autora, destino=destino, servicios=["juridica"],
                                            motivo="Acompañamiento jurídico", hoy=hoy_en_mexico())
    db.session.commit()
    solicitud = db.session.scalars(sa.select(SolicitudAprobacion)).one()
    return caso, canalizacion, solicitud


def _estado(modelo, identificador) -> str:
    db.session.rollback()
    return db.session.get(modelo, identificador).estado


def test_la_autora_retira_su_solicitud_desde_la_pagina_del_caso(como, cuentas):
    caso, canalizacion, solicitud = _solicitud_de(cuentas["capturista"], cuentas.institucion_b)
    capturista = como("capturista")
    pagina = capturista.get(f"/casos/{caso.id}").get_data(as_text=True)
    assert "Retirar mi solicitud" in pagina
    accion = re.search(r'action="(/solicitudes/[^"]+/retirar)"', pagina).group(1)

    respuesta = enviar(capturista, accion, {"version": str(solicitud.version)}, pagina=f"/casos/{caso.id}")
    assert respuesta.status_code == 302
    assert "Solicitud retirada" in capturista.get(respuesta.location).get_data(as_text=True)
    assert _estado(SolicitudAprobacion, solicitud.id) == "retirada"
    assert _estado(Canalizacion, canalizacion.id) == "borrador"  # back where it waited from
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventoAuditoria).where(
        EventoAuditoria.accion == "solicitud_aprobacion.retirar",
        EventoAuditoria.usuaria_id == cuentas["capturista"].id)) == 1
    assert "Retirar mi solicitud" not in capturista.get(f"/casos/{caso.id}").get_data(as_text=True)


def test_nadie_mas_la_retira(app, como, cuentas):
    _caso, _canalizacion, solicitud = _solicitud_de(cuentas["capturista"], cuentas.institucion_b)
    companera = crear_usuaria("capturista", cuentas.institucion_a)
    otra = app.test_client()
    assert entrar(otra, companera).status_code == 302
    for cliente, esperado in ((otra, 403), (como("supervisora"), 403), (como("capturista_b"), 404)):
        respuesta = enviar(cliente, f"/solicitudes/{solicitud.id}/retirar",
                           {"version": str(solicitud.version)}, pagina="/")
        assert respuesta.status_code == esperado
        if esperado == 403:  # seen, but not hers: told why
            assert "Solo quien hizo la solicitud puede retirarla." in respuesta.get_data(as_text=True)
    assert _estado(SolicitudAprobacion, solicitud.id) == "pendiente"


def test_una_supervisora_sola_retira_la_suya_desde_aprobaciones(app, cuentas):
    unica = crear_institucion("SOLA", "imm")
    supervisora = crear_usuaria("supervisora", unica)
    _caso, canalizacion, solicitud = _solicitud_de(supervisora, cuentas.institucion_b)
    cliente = app.test_client()
    assert entrar(cliente, supervisora).status_code == 302
    bandeja = cliente.get("/aprobaciones/").get_data(as_text=True)
    assert "otra supervisora debe resolverla, o usted puede retirarla" in bandeja
    respuesta = enviar(cliente, f"/solicitudes/{solicitud.id}/retirar",
                       {"version": str(solicitud.version)}, pagina="/aprobaciones/")
    assert respuesta.status_code == 302
    assert _estado(SolicitudAprobacion, solicitud.id) == "retirada"
    assert _estado(Canalizacion, canalizacion.id) == "borrador"
    assert "No hay solicitudes pendientes." in cliente.get("/aprobaciones/").get_data(as_text=True)
