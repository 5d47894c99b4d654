"""A crypto-shredded case on every page: never a 500, nothing left waiting on it, and its own
institution sees it as its own erased case (issue 11, item 4)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from casos.bd import ahora
from casos.canalizaciones.modelos import Canalizacion
from casos.expedientes.modelos import Caso
from casos.extensiones import db
from casos.transiciones.modelos import SolicitudAprobacion
from tests.conftest import enviar
from tests.test_rutas_por_rol import objetos, recorrer  # noqa: F401 (a fixture)

MOTIVO = "Cancelación por solicitud ARCO, folio 2026/0099"


def _eliminar(como, caso_id):
    respuesta = enviar(como("admin"), "/casos/eliminar-datos", {
        "caso_id": str(caso_id), "motivo": MOTIVO, "confirmacion": "ELIMINAR"})
    assert respuesta.status_code == 302, respuesta.get_data(as_text=True)[-800:]


def test_ninguna_ruta_falla_con_un_caso_eliminado(app, cuentas, como, objetos):  # noqa: F811
    """Every route the app registers, GET and POST, by every identity, on the objects of an
    erased case that had a pending approval, a referral and an order."""
    _eliminar(como, objetos["caso_id"])
    fallos = [f"{metodo} {regla.rule} como {identidad}: {respuesta.status_code}"
              for regla, metodo, identidad, respuesta, _ in recorrer(
                  app, cuentas, objetos, {"version": "1", "evento": "aceptar"})
              if respuesta.status_code >= 500]
    assert not fallos, "\n".join(fallos)


def test_sus_solicitudes_pendientes_terminan_y_la_bandeja_sigue_funcionando(app, cuentas, como, objetos):  # noqa: F811
    _eliminar(como, objetos["caso_id"])
    db.session.rollback()
    solicitud = db.session.get(SolicitudAprobacion, objetos["solicitud_id"])
    assert solicitud.estado == "sin_efecto"
    supervisora = como("supervisora")
    bandeja = supervisora.get("/aprobaciones/")
    assert bandeja.status_code == 200
    assert "No hay solicitudes pendientes." in bandeja.get_data(as_text=True)
    # Approving it after all is refused with a message, not a 500.
    respuesta = enviar(supervisora, f"/aprobaciones/{solicitud.id}",
                       {"decision": "aprobar", "version": str(solicitud.version)}, pagina="/aprobaciones/")
    assert respuesta.status_code == 302
    assert db.session.scalar(sa.select(Canalizacion.estado).where(
        Canalizacion.id == objetos["canalizacion_id"])) == "por_aprobar"


def test_los_formularios_de_orden_y_canalizacion_se_niegan_con_un_mensaje(app, cuentas, como, objetos):  # noqa: F811
    _eliminar(como, objetos["caso_id"])
    capturista = como("capturista")
    for ruta in (f"/casos/{objetos['caso_id']}/ordenes/nueva", f"/canalizaciones/nueva/{objetos['caso_id']}",
                 f"/casos/{objetos['caso_id']}/valoracion"):
        respuesta = capturista.get(ruta)
        assert respuesta.status_code == 410, ruta  # "Datos eliminados", not "Acceso denegado"
        assert "Los datos personales de este caso fueron eliminados" in respuesta.get_data(as_text=True)
    # A POST goes back to the case page, which says why.
    respuesta = enviar(capturista, f"/casos/{objetos['caso_id']}/ordenes/nueva", {
        "tipo": "administrativa", "autoridad": "ministerio_publico", "medidas": ["otra"],
        "solicitada_en": "2026-11-18T10:00"}, pagina="/")
    assert respuesta.status_code == 302 and respuesta.location.endswith(f"/casos/{objetos['caso_id']}")
    pagina = capturista.get(respuesta.location).get_data(as_text=True)
    assert "Los datos personales de este caso fueron eliminados" in pagina


def test_su_institucion_lo_ve_como_caso_propio_eliminado_fuera_de_pendientes(app, cuentas, como, objetos):  # noqa: F811
    # Urgent, with its re-assessment overdue: what the list flagged before she was erased.
    db.session.execute(sa.update(Caso).where(Caso.id == objetos["caso_id"]).values(
        nivel_riesgo="extremo", urgente=True, proxima_valoracion=ahora() - timedelta(days=3)))
    db.session.commit()
    capturista = como("capturista")
    antes = capturista.get("/casos/").get_data(as_text=True)
    assert "URGENTE" in antes and "Revalorar el riesgo" in capturista.get("/pendientes").get_data(as_text=True)
    _eliminar(como, objetos["caso_id"])
    lista = capturista.get("/casos/").get_data(as_text=True)
    assert "Datos personales eliminados" in lista and "URGENTE" not in lista and "vencida" not in lista.lower()
    pendientes = capturista.get("/pendientes").get_data(as_text=True)
    assert str(objetos["caso_id"]) not in pendientes and "Caso de otra institución" not in pendientes
    assert "Nada atrasado ni por vencer" in pendientes
    caso = capturista.get(f"/casos/{objetos['caso_id']}")
    assert caso.status_code == 200 and "Caso con datos personales eliminados" in caso.get_data(as_text=True)
    # Another institution does not even learn it exists.
    assert como("capturista_b").get(f"/casos/{objetos['caso_id']}").status_code == 404


def test_el_fundamento_no_puede_nombrar_a_la_mujer(app, cuentas, como, objetos):  # noqa: F811
    """The admin never sees the case, but may type what she was told: her name or CURP would
    stay for ever in the insert-only trail. Refused with a message, nothing erased."""
    admin = como("admin")
    for fundamento, mensaje in (
            ("Solicitud ARCO de canaria xóchitl PRUEBASINTETICA, folio 12",
             "El fundamento lleva el nombre o la CURP de la mujer"),
            # A CURP, even in pieces, is refused by the form before the case is looked at.
            ("ARCO folio 12, CURP pema 850101 mzsrrn02", "Escríbalo sin datos personales.")):
        respuesta = enviar(admin, "/casos/eliminar-datos", {
            "caso_id": str(objetos["caso_id"]), "motivo": fundamento, "confirmacion": "ELIMINAR"})
        assert respuesta.status_code == 200
        assert mensaje in respuesta.get_data(as_text=True), fundamento
    db.session.rollback()
    assert not db.session.get(Caso, objetos["caso_id"]).datos_eliminados
