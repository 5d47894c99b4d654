"""Files attached to a case (casos/adjuntos/): what a caseworker sees when she uploads one,
what an outsider gets, and what is in the database — encrypted, cleaned, gone with the key."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfWriter
from sqlalchemy import func, select

from casos.adjuntos.modelos import Adjunto, TrozoAdjunto
from casos.auditoria.modelos import EventoAuditoria
from casos.catalogos import CATEGORIAS_ADJUNTO
from casos.expedientes import servicios as expedientes
from casos.expedientes.modelos import Caso
from casos.extensiones import db
from tests.conftest import datos_de_caso, token_csrf
from tests.reloj import hoy_en_mexico

CATEGORIAS = tuple(CATEGORIAS_ADJUNTO)

MARCA = "Canaria Documento Sintetico"  # written inside the files: never in the database


def pdf(paginas: int = 1) -> bytes:
    escritor = PdfWriter()
    for _ in range(paginas):
        escritor.add_blank_page(width=612, height=792)
    escritor.add_metadata({"/Title": MARCA})
    salida = io.BytesIO()
    escritor.write(salida)
    return salida.getvalue()


def jpeg_con_gps() -> bytes:
    imagen = Image.new("RGB", (64, 48), (200, 30, 90))
    exif = Image.Exif()
    exif[0x010F] = "TelefonoCanario"  # Make
    exif[0x0110] = MARCA  # Model
    exif.get_ifd(0x8825)[2] = (22.0, 46.0, 30.0)  # GPSLatitude: Zacatecas
    salida = io.BytesIO()
    imagen.save(salida, "JPEG", exif=exif)
    return salida.getvalue()


def png_con_texto() -> bytes:
    info = PngInfo()
    info.add_text("Comment", MARCA)
    salida = io.BytesIO()
    Image.new("RGBA", (20, 20), (0, 0, 0, 0)).save(salida, "PNG", pnginfo=info)
    return salida.getvalue()


@pytest.fixture
def caso(app, cuentas):
    registrado = expedientes.registrar_caso(cuentas["capturista"], datos_de_caso(tipos_institucion=["cjm"]))
    db.session.commit()
    return registrado


def subir(cliente, caso, datos: bytes, nombre: str, categoria: str = "denuncia"):
    ruta = f"/casos/{caso.id}/adjuntos/nuevo"
    return cliente.post(ruta, data={"csrf_token": token_csrf(cliente, ruta), "categoria": categoria,
                                    "archivo": (io.BytesIO(datos), nombre)},
                        content_type="multipart/form-data")


def guardados() -> list[Adjunto]:
    db.session.rollback()
    return list(db.session.scalars(select(Adjunto)))


def errores(respuesta) -> list[str]:
    return re.findall(r'<p class="error">([^<]+)</p>', respuesta.get_data(as_text=True))


@pytest.mark.parametrize(("datos", "nombre", "error"), [
    (b"", "vacio.pdf", "El archivo está vacío: elija otro."),
    (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "denuncia.pdf",
     "Solo se aceptan documentos PDF e imágenes JPEG o PNG; este archivo es de otro tipo, aunque su nombre diga otra cosa."),
    (b"<html><script>alert(1)</script></html>", "foto.jpg",
     "Solo se aceptan documentos PDF e imágenes JPEG o PNG; este archivo es de otro tipo, aunque su nombre diga otra cosa."),
    (pdf(3)[:300], "truncado.pdf", "El PDF está dañado o incompleto: vuelva a guardarlo o escanearlo."),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "rota.jpg", "La imagen está dañada o incompleta: vuelva a tomarla o a escanearla."),
], ids=["vacio", "ejecutable-renombrado", "html-como-jpg", "pdf-truncado", "jpeg-roto"])
def test_un_archivo_malo_se_rechaza_con_un_error_claro_y_conserva_lo_demas(como, caso, datos, nombre, error):
    respuesta = subir(como("capturista"), caso, datos, nombre, categoria="dictamen_medico")
    assert respuesta.status_code == 200
    assert errores(respuesta) == [error]
    assert re.search(r'<option selected value="dictamen_medico">|<option value="dictamen_medico" selected',
                     respuesta.get_data(as_text=True))  # what she chose is still chosen
    assert guardados() == []


def test_un_archivo_demasiado_grande_se_rechaza(app, como, caso):
    app.config["ADJUNTOS_MAXIMO_MB"] = 0.05  # 51 KB
    respuesta = subir(como("capturista"), caso, b"%PDF-1.7\n" + b"0" * 60_000, "grande.pdf")
    assert errores(respuesta) == ["El archivo pesa más de 0.05 MB: redúzcalo (escanee a menor resolución) o divídalo."]
    # Far beyond the limit: the body itself is refused before it is read.
    enorme = subir(como("capturista"), caso, b"%PDF-1.7\n" + b"0" * 400_000, "enorme.pdf")
    assert enorme.status_code == 413 and "excede el tamaño permitido" in enorme.get_data(as_text=True)
    assert guardados() == []


def test_sin_archivo_o_sin_categoria(como, caso):
    capturista = como("capturista")
    ruta = f"/casos/{caso.id}/adjuntos/nuevo"
    sin_archivo = capturista.post(ruta, data={"csrf_token": token_csrf(capturista, ruta), "categoria": "denuncia"})
    assert errores(sin_archivo) == ["Elija el archivo que va a subir."]
    sin_categoria = subir(capturista, caso, pdf(), "d.pdf", categoria="")
    assert errores(sin_categoria) == ["Elija qué documento es."]
    assert guardados() == []


def test_un_pdf_se_guarda_cifrado_y_se_descarga_igual_con_su_evento(app, como, caso):
    capturista = como("capturista")
    original = pdf(2)
    respuesta = subir(capturista, caso, original, f"Denuncia de {MARCA}.pdf")
    assert respuesta.status_code == 302
    pagina = capturista.get(respuesta.location).get_data(as_text=True)
    assert "Documento guardado, cifrado." in pagina and "Denuncia" in pagina
    [adjunto] = guardados()
    assert (adjunto.tipo, adjunto.categoria, adjunto.tamano) == ("application/pdf", "denuncia", len(original))
    # In the database: neither the file nor its name, in any column of either table.
    for fila in db.session.execute(select(TrozoAdjunto.datos)).scalars():
        assert b"%PDF" not in fila and MARCA.encode() not in fila
    assert MARCA.encode() not in adjunto.nombre_cifrado and adjunto.nombre == f"Denuncia de {MARCA}.pdf"

    descarga = capturista.get(f"/adjuntos/{adjunto.id}")
    assert descarga.status_code == 200 and descarga.data == original
    assert descarga.mimetype == "application/pdf"
    disposicion = descarga.headers["Content-Disposition"]
    assert disposicion.startswith("attachment;") and MARCA not in disposicion and "Canaria" not in disposicion
    assert descarga.headers["Cache-Control"] == "no-store"
    db.session.rollback()
    eventos = db.session.execute(select(EventoAuditoria.accion, EventoAuditoria.caso_id, EventoAuditoria.objeto_id)
                                 .where(EventoAuditoria.accion.like("adjunto.%"))
                                 .order_by(EventoAuditoria.secuencia)).all()
    assert [tuple(e) for e in eventos] == [("adjunto.subir", caso.id, adjunto.id),
                                          ("adjunto.descargar", caso.id, adjunto.id)]


@pytest.mark.parametrize("hacer, tipo", [(jpeg_con_gps, "image/jpeg"), (png_con_texto, "image/png")])
def test_una_imagen_pierde_sus_metadatos(como, caso, hacer, tipo):
    capturista = como("capturista")
    assert subir(capturista, caso, hacer(), "foto", categoria="identificacion").status_code == 302
    [adjunto] = guardados()
    assert adjunto.tipo == tipo
    guardada = capturista.get(f"/adjuntos/{adjunto.id}").data
    assert MARCA.encode() not in guardada and b"TelefonoCanario" not in guardada
    with Image.open(io.BytesIO(guardada)) as imagen:
        assert not imagen.getexif() and not imagen.info.get("Comment") and "exif" not in imagen.info
        assert imagen.size in ((64, 48), (20, 20))


def _canalizada_a_b(como, caso, cuentas, aceptar: bool = True):
    from tests.test_movimientos_ilegales import (
        canalizacion_unica,
        pedir_canalizacion,
        resolver,
        responder,
        solicitud_de,
    )

    assert pedir_canalizacion(como("capturista"), caso, cuentas.institucion_b).status_code == 302
    assert resolver(como("supervisora"), solicitud_de("enviar")).status_code == 302
    if aceptar:
        assert responder(como("capturista_b"), canalizacion_unica(), "aceptar").status_code == 302
    return canalizacion_unica()


def test_la_receptora_abre_por_categoria_lo_que_ella_compartio(como, caso, cuentas):
    """She shared identity and the facts with the CJM (the fixture's consent): B opens her ID
    and the medical report, not the complaint (it names the aggressor: not shared), the order
    (her risk: not shared) or "otro"; C and the other roles, nothing."""
    capturista = como("capturista")
    for categoria in CATEGORIAS:
        assert subir(capturista, caso, pdf(), "d.pdf", categoria=categoria).status_code == 302
    por_categoria = {a.categoria: a.id for a in guardados()}
    antes = {quien: {c: como(quien).get(f"/adjuntos/{i}").status_code for c, i in por_categoria.items()}
             for quien in ("capturista_b", "supervisora_b")}
    assert antes == {q: dict.fromkeys(CATEGORIAS, 404) for q in antes}  # no referral yet
    canalizacion = _canalizada_a_b(como, caso, cuentas, aceptar=False)
    abre = {"identificacion", "dictamen_medico"}
    for quien in ("capturista_b", "supervisora_b"):
        # Sent, not yet accepted: she opens them on the referral page to decide.
        pagina = como(quien).get(f"/canalizaciones/{canalizacion.id}").get_data(as_text=True)
        assert set(re.findall(r'href="/adjuntos/([0-9a-f-]{36})"', pagina)) == {
            str(por_categoria[c]) for c in abre}
        for categoria, ident in por_categoria.items():
            assert como(quien).get(f"/adjuntos/{ident}").status_code == (200 if categoria in abre else 404), categoria
    for otro in ("gestora", "admin"):
        assert all(como(otro).get(f"/adjuntos/{i}").status_code in (403, 404) for i in por_categoria.values())
    # She withdraws her consent: B opens nothing any more.
    expedientes.revocar_consentimiento(db.session.get(Caso, caso.id), None, revocada_el=hoy_en_mexico(),
                                       informada_por="ella_persona", motivo="Revocación sintética")
    db.session.commit()
    assert {como("capturista_b").get(f"/adjuntos/{i}").status_code for i in por_categoria.values()} == {404}


def test_cada_lado_adjunta_a_la_canalizacion_cuando_le_toca(como, caso, cuentas):
    canalizacion = _canalizada_a_b(como, caso, cuentas, aceptar=False)
    ruta = f"/canalizaciones/{canalizacion.id}/adjuntos/nuevo"
    # The sender attaches the signed oficio to it; the receiver, not before accepting it.
    remitente, receptora = como("capturista"), como("capturista_b")
    enviada = receptora.get(ruta)
    assert enviada.status_code == 403 and "una vez que la acepta" in enviada.get_data(as_text=True)
    assert "Adjuntar documento" not in receptora.get(f"/canalizaciones/{canalizacion.id}").get_data(as_text=True)
    respuesta = remitente.post(ruta, data={"csrf_token": token_csrf(remitente, ruta), "categoria": "otro",
                                           "archivo": (io.BytesIO(pdf()), "oficio firmado.pdf")},
                               content_type="multipart/form-data")
    assert respuesta.status_code == 302 and respuesta.location.endswith(f"/canalizaciones/{canalizacion.id}#titulo-adjuntos")
    [oficio] = guardados()
    assert oficio.canalizacion_id == canalizacion.id and oficio.institucion_id == cuentas.institucion_a.id
    assert receptora.get(f"/adjuntos/{oficio.id}").status_code == 404  # "otro": the uploader's only
    from tests.test_movimientos_ilegales import canalizacion_unica, responder

    assert responder(receptora, canalizacion_unica(), "aceptar").status_code == 302
    assert "Adjuntar documento" in receptora.get(f"/canalizaciones/{canalizacion.id}").get_data(as_text=True)
    respuesta = receptora.post(ruta, data={"csrf_token": token_csrf(receptora, ruta), "categoria": "dictamen_medico",
                                           "archivo": (io.BytesIO(jpeg_con_gps()), "dictamen.jpg")},
                               content_type="multipart/form-data")
    assert respuesta.status_code == 302
    [suyo] = [a for a in guardados() if a.id != oficio.id]
    assert suyo.institucion_id == cuentas.institucion_b.id and suyo.canalizacion_id == canalizacion.id
    # Both sides open the receiver's file, and see it with the referral it goes with.
    for cliente in (receptora, remitente):
        assert cliente.get(f"/adjuntos/{suyo.id}").status_code == 200
    caso_de_a = remitente.get(f"/casos/{caso.id}").get_data(as_text=True)
    assert "la canalización de INSTA a INSTB" in caso_de_a and str(suyo.id) in caso_de_a
    # A third institution can neither attach nor open.
    from tests.conftest import crear_institucion, crear_usuaria, entrar

    tercera = crear_usuaria("capturista", crear_institucion("INSTC", "salud"))
    db.session.commit()
    cliente_c = receptora.application.test_client()
    assert entrar(cliente_c, tercera).status_code == 302
    assert cliente_c.get(ruta).status_code == 404
    assert {cliente_c.get(f"/adjuntos/{a.id}").status_code for a in guardados()} == {404}


def test_eliminar_los_datos_del_caso_deja_sus_archivos_ilegibles(como, caso, cuentas):
    capturista = como("capturista")
    assert subir(capturista, caso, pdf(), "d.pdf").status_code == 302
    [adjunto] = guardados()
    antes = db.session.execute(select(TrozoAdjunto.datos)).scalars().all()
    expedientes.eliminar_datos_personales(db.session.get(Caso, caso.id), cuentas["admin"], motivo="Solicitud ARCO")
    db.session.commit()
    # The stored bytes are the same ciphertext; the only key that opened them is gone.
    assert db.session.execute(select(TrozoAdjunto.datos)).scalars().all() == antes
    assert db.session.scalar(select(Caso.dek_envuelta).where(Caso.id == caso.id)) is None
    assert db.session.scalar(select(func.count()).select_from(Adjunto)) == 1
    descarga = capturista.get(f"/adjuntos/{adjunto.id}")
    assert descarga.status_code == 410 and b"%PDF" not in descarga.data


def test_en_un_directorio_los_archivos_se_guardan_cifrados_y_mueren_con_la_clave(app, como, caso, cuentas, tmp_path):
    """`ADJUNTOS_DIRECTORIO`: the chunks are files there, as sealed as in the database; a file
    kept before the change is still read from the database; a transaction that does not
    commit leaves no file behind; crypto-shredding leaves the files unreadable."""
    from casos.adjuntos import servicios

    capturista = como("capturista")
    assert subir(capturista, caso, png_con_texto(), "antes.png", categoria="identificacion").status_code == 302
    [en_la_bd] = guardados()
    app.config["ADJUNTOS_DIRECTORIO"] = str(tmp_path / "adjuntos")
    original = pdf(2)
    assert subir(capturista, caso, original, f"Denuncia de {MARCA}.pdf").status_code == 302
    [en_disco] = [a for a in guardados() if a.id != en_la_bd.id]
    assert (en_la_bd.almacen, en_disco.almacen) == ("bd", "directorio")
    assert db.session.scalar(select(func.count()).select_from(TrozoAdjunto)
                             .where(TrozoAdjunto.adjunto_id == en_disco.id)) == 0
    archivos = sorted((tmp_path / "adjuntos").rglob("*.*"))
    assert [a.name for a in archivos] == [f"{en_disco.id.hex}.0"]
    guardado = archivos[0].read_bytes()
    assert b"%PDF" not in guardado and MARCA.encode() not in guardado
    assert capturista.get(f"/adjuntos/{en_disco.id}").data == original
    assert capturista.get(f"/adjuntos/{en_la_bd.id}").status_code == 200  # older file, other store

    # Saved, then rolled back (as when the commit fails): no chunk file stays.
    servicios.adjuntar(db.session.get(Caso, caso.id), cuentas["capturista"], datos=pdf(), nombre="x.pdf",
                       categoria="otro")
    assert len(list((tmp_path / "adjuntos").rglob("*.*"))) == 2
    db.session.rollback()
    assert [a.name for a in (tmp_path / "adjuntos").rglob("*.*")] == [f"{en_disco.id.hex}.0"]

    expedientes.eliminar_datos_personales(db.session.get(Caso, caso.id), cuentas["admin"], motivo="Solicitud ARCO")
    db.session.commit()
    assert archivos[0].read_bytes() == guardado  # the same ciphertext; its key is gone
    descarga = capturista.get(f"/adjuntos/{en_disco.id}")
    assert descarga.status_code == 410 and b"%PDF" not in descarga.data
