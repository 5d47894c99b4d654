"""The printed referral (oficio de canalización) and the case summary (issue 13, item 2).

Institution A (a Fiscalía) owns a case whose every encrypted field holds a canary, with a risk
assessment; it refers the case to institution B (a CJM) with the woman's consent for one data
category, or all of them, and the referral is driven through its real moves. Then each
document is downloaded as each side prints it, its text extracted with pypdf, and searched for
every category's canaries: those shared must be there (a document that hides everything would
pass every "no leak" check), the others must not. The oficio travels to B, so A's own copy
carries only what B may read too; A's summary carries everything; B's summary only what was
shared. A third institution C does not learn that any of it exists.
"""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from html import unescape

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from casos.auditoria.modelos import EventoAuditoria
from casos.canalizaciones import servicios as canalizaciones
from casos.catalogos import DATOS_COMPARTIBLES
from casos.expedientes import servicios as expedientes
from casos.expedientes.modelos import Caso
from casos.expedientes.riesgo import instrumento
from casos.extensiones import db
from casos.impresos.pdf import para_pdf
from casos.transiciones import servicios as transiciones
from tests.conftest import crear_institucion, crear_usuaria, datos_de_caso, entrar
from tests.reloj import hoy_en_mexico

CATEGORIAS = tuple(DATOS_COMPARTIBLES)  # identidad, contacto, hechos, riesgo, nna, agresor
SUBCONJUNTOS = tuple((c,) for c in CATEGORIAS) + (CATEGORIAS,)
NIVEL = "medio"  # not urgent: nothing but the level tells of her risk
MOTIVO_ENVIO = "Motivo canario de envio"
MOTIVO_VALORACION = "Valoracion canaria sintetica"
# Every canary of a category, as the PDF's text says it (whitespace folded).
CANARIOS: dict[str, tuple[str, ...]] = {
    "identidad": ("Canaria Xochitl Pruebasintetica", "PEMA850101MZSRRN02", "01/01/1985"),
    "contacto": ("4929990001", "Calle Ficticia 123", "4929990002", "Contacte a la mujer solo por",
                 "Nunca llame ni acuda a su domicilio"),
    "hechos": ("Relato canario sintetico", "Domicilio ficticio"),
    "riesgo": ("Nivel de riesgo actual: Medio",),
    "nna": ("Hija Sintetica Uno",),
    "agresor": ("Agresor Sintetico Canario",),
    # Not a consent category: her language, disability and nationality are the owner's only.
    "perfil": ("Náhuatl",),
    # The sender's reason has no category: it travels while the referral carries her data.
    "motivo": (MOTIVO_ENVIO,),
}
IMPRESORA = "Lucía Impresora Sintética"
RUTAS = ("/canalizaciones/{canalizacion}/oficio", "/canalizaciones/{canalizacion}/oficio.pdf",
         "/casos/{caso}/resumen", "/casos/{caso}/resumen.pdf")


@dataclass
class Escenario:
    caso_id: uuid.UUID
    canalizacion_id: uuid.UUID
    cuentas: dict
    app: object

    def cliente(self, clave: str):
        cliente = self.app.test_client()
        assert entrar(cliente, self.cuentas[clave]).status_code == 302
        return cliente

    def ruta(self, plantilla: str) -> str:
        return plantilla.format(caso=self.caso_id, canalizacion=self.canalizacion_id)


def _aprobar_envio(canalizacion, cuentas):
    solicitud = transiciones.pendiente_de(canalizacion, "enviar")
    transiciones.aprobar(solicitud, canalizacion, cuentas["supervisora_a"], version_vista=solicitud.version,
                         valores=canalizaciones.valores_al_enviar(canalizacion))


def _responder(canalizacion, evento, usuaria, **extra):
    canalizaciones.responder(canalizacion, evento, usuaria, version_vista=canalizacion.version, **extra)


def construir(app, compartidas=CATEGORIAS, estado="aceptada", **cambios) -> Escenario:
    """A case of A referred to B through the real moves, up to `estado`."""
    a = crear_institucion("INSTA", "fiscalia")
    b = crear_institucion("INSTB", "cjm")
    c = crear_institucion("INSTC", "salud")
    cuentas = {"capturista_a": crear_usuaria("capturista", a), "supervisora_a": crear_usuaria("supervisora", a),
               "capturista_b": crear_usuaria("capturista", b), "capturista_c": crear_usuaria("capturista", c)}
    cuentas["capturista_b"].nombre = IMPRESORA
    cambios.setdefault("fecha_nacimiento", date(1985, 1, 1))
    caso = expedientes.registrar_caso(cuentas["capturista_a"], datos_de_caso(
        tipos_institucion=["cjm"], datos_compartibles=list(compartidas), **cambios))
    db.session.commit()
    respuestas = {i.clave: "no" for i in instrumento().indicadores}
    expedientes.registrar_valoracion(caso, cuentas["capturista_a"], respuestas, NIVEL, MOTIVO_VALORACION)
    canalizacion = canalizaciones.solicitar(caso, cuentas["capturista_a"], destino=b, servicios=["juridica"],
                                            motivo=MOTIVO_ENVIO, hoy=hoy_en_mexico())
    db.session.commit()
    pasos = {"por_aprobar": (), "enviada": ("enviar",), "aceptada": ("enviar", "aceptar"),
             "rechazada": ("enviar", "rechazar")}[estado]
    for paso in pasos:
        if paso == "enviar":
            _aprobar_envio(canalizacion, cuentas)
        else:
            _responder(canalizacion, paso, cuentas["capturista_b"],
                       motivo="Sin cupo (sintetico)" if paso == "rechazar" else None)
        db.session.commit()
    assert canalizacion.estado == estado
    escenario = Escenario(caso.id, canalizacion.id, cuentas, app)
    db.session.rollback()
    return escenario


def texto_del_pdf(respuesta) -> str:
    assert respuesta.status_code == 200, respuesta.status_code
    assert respuesta.headers["Content-Type"] == "application/pdf"
    lector = PdfReader(io.BytesIO(respuesta.get_data()))
    return " ".join(" ".join(pagina.extract_text().split()) for pagina in lector.pages)


def texto_del_html(respuesta) -> str:
    assert respuesta.status_code == 200, respuesta.status_code
    html = respuesta.get_data(as_text=True).replace("</dt>", ":</dt>")  # read as the PDF says it
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split()).replace(" :", ":")


def problemas(texto: str, deben: set[str]) -> list[str]:
    """Every canary of a category that must be there and is not, and of one that must not
    be and is."""
    resultado = []
    for categoria, canarios in CANARIOS.items():
        for canario in canarios:
            if categoria in deben and canario not in texto:
                resultado.append(f"falta «{canario}» ({categoria})")
            elif categoria not in deben and canario in texto:
                resultado.append(f"muestra «{canario}» ({categoria}, no compartida)")
    return resultado


# ---- the consent matrix of the printed documents ---------------------------------------------

@pytest.mark.parametrize("compartidas", SUBCONJUNTOS, ids=lambda s: "todas" if len(s) > 1 else s[0])
def test_cada_impreso_lleva_solo_lo_consentido(app, compartidas):
    escenario = construir(app, compartidas)
    consentidas = set(compartidas) | {"motivo"}
    b, a = escenario.cliente("capturista_b"), escenario.cliente("capturista_a")
    fallos = {}
    for quien, cliente, ruta, deben in (
        ("B, oficio (PDF)", b, RUTAS[1], consentidas),
        ("B, oficio (página)", b, RUTAS[0], consentidas),
        # The oficio travels to B: A's own copy carries no more than B's.
        ("A, oficio (PDF)", a, RUTAS[1], consentidas),
        ("A, oficio (página)", a, RUTAS[0], consentidas),
        ("A, resumen (PDF)", a, RUTAS[3], set(CANARIOS) - {"motivo"}),
        ("B, resumen (PDF)", b, RUTAS[3], set(compartidas)),
        ("B, resumen (página)", b, RUTAS[2], set(compartidas)),
    ):
        respuesta = cliente.get(escenario.ruta(ruta))
        texto = texto_del_pdf(respuesta) if ruta.endswith(".pdf") else texto_del_html(respuesta)
        if encontrados := problemas(texto, deben):
            fallos[quien] = encontrados
    assert not fallos, f"compartidas: {compartidas}: {fallos}"


def test_el_oficio_de_quien_envia_no_lleva_lo_que_ella_retiro_despues(app):
    """Her consent narrowed after the sending: both copies lose the withdrawn category (the
    intersection of what was sent and what she allows now), the others stay."""
    escenario = construir(app, CATEGORIAS)
    caso = db.session.get(Caso, escenario.caso_id)
    caso.consentimiento.datos_compartibles = [c for c in CATEGORIAS if c != "hechos"]
    db.session.commit()
    deben = set(CATEGORIAS) - {"hechos"} | {"motivo"}
    for clave in ("capturista_a", "capturista_b"):
        texto = texto_del_pdf(escenario.cliente(clave).get(escenario.ruta(RUTAS[1])))
        assert not problemas(texto, deben), (clave, problemas(texto, deben))


def test_una_tercera_institucion_no_sabe_que_existen(app):
    escenario = construir(app)
    cliente = escenario.cliente("capturista_c")
    assert {ruta: cliente.get(escenario.ruta(ruta)).status_code for ruta in RUTAS} == dict.fromkeys(RUTAS, 404)


def test_sin_consentimiento_el_oficio_no_lleva_nada_de_ella_y_dice_por_que(app):
    escenario = construir(app, CATEGORIAS)
    caso = db.session.get(Caso, escenario.caso_id)
    expedientes.revocar_consentimiento(caso, escenario.cuentas["capturista_a"], revocada_el=hoy_en_mexico(),
                                       informada_por="ella_persona", motivo="Revocación sintética")
    db.session.commit()
    for clave in ("capturista_b", "capturista_a"):
        cliente = escenario.cliente(clave)
        for ruta in RUTAS[:2]:
            respuesta = cliente.get(escenario.ruta(ruta))
            texto = texto_del_pdf(respuesta) if ruta.endswith(".pdf") else texto_del_html(respuesta)
            assert not problemas(texto, set()), (clave, ruta, problemas(texto, set()))
            assert "Esta canalización ya no comparte datos de la mujer: ella revocó su consentimiento" in texto
            assert str(escenario.canalizacion_id) in texto and "Institución de prueba INSTB" in texto
    # B no longer finds the case at all; A's summary still has everything.
    assert escenario.cliente("capturista_b").get(escenario.ruta(RUTAS[3])).status_code == 404


def test_una_canalizacion_rechazada_conserva_su_registro_sin_datos(app):
    escenario = construir(app, CATEGORIAS, estado="rechazada")
    texto = texto_del_pdf(escenario.cliente("capturista_b").get(escenario.ruta(RUTAS[1])))
    assert not problemas(texto, set()), problemas(texto, set())
    assert "ya no comparte datos de la mujer: la canalización está rechazada" in texto
    assert "Estado: Rechazada" in texto


def test_un_borrador_dice_que_no_se_ha_enviado_ni_aprobado(app):
    escenario = construir(app, ("identidad",), estado="por_aprobar")
    texto = texto_del_pdf(escenario.cliente("capturista_a").get(escenario.ruta(RUTAS[1])))
    assert "Fecha de envío: sin enviar" in texto
    assert "Aprobó el envío: pendiente: espera la aprobación de una supervisora" in texto
    assert "Solicitó la canalización: Persona capturista (Capturista, INSTA)" in texto
    assert not problemas(texto, {"identidad", "motivo"})
    # Not sent yet: it does not exist for B.
    assert escenario.cliente("capturista_b").get(escenario.ruta(RUTAS[1])).status_code == 404


def test_el_oficio_dice_quien_lo_pidio_y_quien_aprobo_el_envio(app):
    escenario = construir(app, ("identidad",), estado="enviada")
    texto = texto_del_pdf(escenario.cliente("capturista_b").get(escenario.ruta(RUTAS[1])))
    assert "Solicitó la canalización: Persona capturista (Capturista, INSTA)" in texto
    assert "Aprobó el envío: Persona supervisora (Supervisora, INSTA)" in texto
    assert "Institución que envía: Institución de prueba INSTA" in texto
    assert "Institución que recibe: Institución de prueba INSTB" in texto
    assert "Servicios solicitados: Asesoría jurídica" in texto
    assert "sin enviar" not in texto


def test_un_caso_eliminado_se_imprime_sin_datos_personales(app):
    escenario = construir(app, CATEGORIAS)
    expedientes.eliminar_datos_personales(db.session.get(Caso, escenario.caso_id))
    db.session.commit()
    a = escenario.cliente("capturista_a")
    resumen = texto_del_pdf(a.get(escenario.ruta(RUTAS[3])))
    assert not problemas(resumen, set()), problemas(resumen, set())
    assert "Los datos personales de este caso se eliminaron" in resumen
    oficio = texto_del_pdf(a.get(escenario.ruta(RUTAS[1])))
    assert not problemas(oficio, set()), problemas(oficio, set())
    assert "ya no comparte datos de la mujer: se eliminaron sus datos personales" in oficio
    # Another institution's erased case is nothing to B.
    assert escenario.cliente("capturista_b").get(escenario.ruta(RUTAS[3])).status_code == 404


# ---- who printed it, every page, and what the download says about itself ----------------------

@pytest.mark.reloj  # "Impreso por … el <today in Mexico City>"
def test_cada_pagina_del_pdf_dice_quien_lo_imprimio_y_es_confidencial(app):
    # A long story: the oficio runs over several pages.
    escenario = construir(app, CATEGORIAS, narrativa="Relato canario sintetico. " + "Texto de relleno. " * 900)
    respuesta = escenario.cliente("capturista_b").get(escenario.ruta(RUTAS[1]))
    paginas = PdfReader(io.BytesIO(respuesta.get_data())).pages
    assert len(paginas) >= 3
    impreso = f"Impreso por {IMPRESORA} (INSTB) el {hoy_en_mexico():%d/%m/%Y}"
    for numero, pagina in enumerate(paginas, start=1):
        texto = " ".join(pagina.extract_text().split())
        assert "CONFIDENCIAL" in texto, numero
        assert impreso in texto, (numero, texto[-300:])
        assert f"Página {numero} de {len(paginas)}" in texto, numero


@pytest.mark.reloj
def test_la_pagina_para_imprimir_dice_quien_la_imprimio(app):
    escenario = construir(app, ("identidad",))
    texto = texto_del_html(escenario.cliente("capturista_b").get(escenario.ruta(RUTAS[0])))
    assert f"Impreso por {IMPRESORA} (INSTB) el {hoy_en_mexico():%d/%m/%Y}" in texto
    assert "CONFIDENCIAL" in texto


def test_la_descarga_no_nombra_a_la_mujer(app):
    escenario = construir(app)
    for ruta, nombre in ((RUTAS[1], f"oficio-{str(escenario.canalizacion_id)[:8]}.pdf"),
                         (RUTAS[3], f"resumen-{str(escenario.caso_id)[:8]}.pdf")):
        respuesta = escenario.cliente("capturista_a").get(escenario.ruta(ruta))
        assert respuesta.headers["Content-Disposition"] == f'attachment; filename="{nombre}"'
        assert respuesta.headers["Cache-Control"] == "no-store"
        metadatos = PdfReader(io.BytesIO(respuesta.get_data())).metadata
        titulo = ("Oficio de canalización " + str(escenario.canalizacion_id) if "oficio" in ruta
                  else "Resumen del caso " + str(escenario.caso_id))
        assert metadatos.title == titulo
        assert metadatos.author == "Ruta Violeta"
        valores = " ".join(str(v) for v in metadatos.values())
        assert not problemas(valores, set()), problemas(valores, set())


def test_cada_impresion_deja_su_evento_nombrando_el_caso(app):
    escenario = construir(app)
    esperado = {RUTAS[0]: "oficio.imprimir", RUTAS[1]: "oficio.descargar",
                RUTAS[2]: "resumen.imprimir", RUTAS[3]: "resumen.descargar"}
    b = escenario.cliente("capturista_b")
    for ruta, accion in esperado.items():
        antes = _ultimo_evento()
        assert b.get(escenario.ruta(ruta)).status_code == 200
        db.session.rollback()
        nuevos = db.session.execute(sa.select(EventoAuditoria).where(EventoAuditoria.secuencia > antes)
                                    .order_by(EventoAuditoria.secuencia)).scalars().all()
        assert [(e.accion, e.caso_id, e.usuaria_id) for e in nuevos] == [
            (accion, escenario.caso_id, escenario.cuentas["capturista_b"].id)], ruta
        assert nuevos[0].objeto_id == (escenario.canalizacion_id if "oficio" in ruta else None)
    # A refused print leaves no read event.
    antes = _ultimo_evento()
    assert escenario.cliente("capturista_c").get(escenario.ruta(RUTAS[1])).status_code == 404
    db.session.rollback()
    assert not db.session.scalars(sa.select(EventoAuditoria).where(
        EventoAuditoria.secuencia > antes, EventoAuditoria.accion.like("oficio.%"))).all()


def _ultimo_evento() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.max(EventoAuditoria.secuencia))) or 0


# ---- characters the core fonts can't draw ------------------------------------------------------

def test_un_caracter_fuera_de_latin_1_se_degrada_y_no_rompe_el_pdf(app):
    assert para_pdf("Xóchitl Ŏ 𝔄") == "Xóchitl O A"
    assert para_pdf("Ana 漢 😀") == "Ana ? ?"
    assert para_pdf("a\tb\u200bc\r\nd — «e»") == "a bc\nd — «e»"
    escenario = construir(app, ("identidad",), nombre="Xóchitl Ŏ 𝔄 漢 Pruebasintetica")
    texto = texto_del_pdf(escenario.cliente("capturista_b").get(escenario.ruta(RUTAS[1])))
    assert "Xóchitl O A ? Pruebasintetica" in texto


def test_el_enlace_para_imprimir_esta_en_la_canalizacion_y_en_el_caso(app):
    escenario = construir(app)
    for clave in ("capturista_a", "capturista_b"):
        html = escenario.cliente(clave).get(f"/canalizaciones/{escenario.canalizacion_id}").get_data(as_text=True)
        assert f'href="/canalizaciones/{escenario.canalizacion_id}/oficio"' in html
        assert f'href="/canalizaciones/{escenario.canalizacion_id}/oficio.pdf"' in html
        html = escenario.cliente(clave).get(f"/casos/{escenario.caso_id}").get_data(as_text=True)
        assert f'href="/casos/{escenario.caso_id}/resumen.pdf"' in html


@pytest.mark.reloj
def test_el_plazo_de_su_consentimiento_vencido_quita_sus_datos_del_oficio(app):
    escenario = construir(app, CATEGORIAS)
    caso = db.session.get(Caso, escenario.caso_id)
    caso.consentimiento.vigente_hasta = hoy_en_mexico() - timedelta(days=1)
    db.session.commit()
    for clave in ("capturista_a", "capturista_b"):
        texto = texto_del_pdf(escenario.cliente(clave).get(escenario.ruta(RUTAS[1])))
        assert not problemas(texto, set()), (clave, problemas(texto, set()))
        assert "ya no comparte datos de la mujer: su consentimiento venció" in texto
