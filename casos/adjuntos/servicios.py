"""Keeping a file encrypted, reading it back, listing a case's files.

The bytes are cut in chunks of TROZO and each is sealed with AES-GCM under the case's data
key, its associated data naming the file, the case, the chunk and how many there are: a chunk
moved to another file or case, reordered, or a file cut short fails to decrypt. Chunks live in
the database (`adjunto_trozo`). Crypto-shredding the case destroys the key they need.
"""

from __future__ import annotations

import uuid

from flask import current_app
from sqlalchemy import select

from casos import auditoria
from casos.adjuntos.archivos import Archivo, limpiar
from casos.adjuntos.modelos import Adjunto, TrozoAdjunto
from casos.catalogos import CATEGORIAS_ADJUNTO
from casos.cripto import sobres
from casos.cripto.campos import DatosEliminados
from casos.extensiones import db
from flujos import MovimientoIlegal

TROZO = 1024 * 1024


def maximo() -> int:
    return int(float(current_app.config.get("ADJUNTOS_MAXIMO_MB", 10)) * 1024 * 1024)


def _aad(adjunto_id, caso_id, numero: int, total: int) -> str:
    return f"adjunto:{adjunto_id}:{caso_id}:{numero}/{total}"


def adjuntar(caso, usuaria, *, datos: bytes, nombre: str, categoria: str) -> Adjunto:
    """Check, clean and keep a file on the owner's case. `ArchivoRechazado` (nothing saved)
    when it can't be kept."""
    if caso.datos_eliminados:
        raise DatosEliminados("los datos personales de este caso fueron eliminados")
    if categoria not in CATEGORIAS_ADJUNTO:
        raise MovimientoIlegal("Elija qué documento es.")
    archivo: Archivo = limpiar(datos, maximo())
    adjunto = Adjunto(id=uuid.uuid4(), caso=caso, institucion_id=usuaria.institucion_id, subido_por_id=usuaria.id,
                      categoria=categoria, tipo=archivo.tipo, tamano=len(archivo.datos))
    adjunto.nombre = (nombre or "documento")[-200:]
    dek = caso.dek()
    trozos = [archivo.datos[i:i + TROZO] for i in range(0, len(archivo.datos), TROZO)]
    adjunto.trozos_total = len(trozos)
    db.session.add(adjunto)
    db.session.flush()  # its row before its chunks' (no ORM relationship orders them)
    for numero, trozo in enumerate(trozos):
        db.session.add(TrozoAdjunto(adjunto_id=adjunto.id, numero=numero, datos=sobres.cifrar_bytes(
            dek, trozo, _aad(adjunto.id, caso.id, numero, len(trozos)))))
    db.session.flush()
    auditoria.al_confirmar("adjunto.subir", caso_id=caso.id, objeto_id=adjunto.id, usuaria=usuaria)
    return adjunto


def contenido(adjunto: Adjunto) -> bytes:
    """The file's bytes; `DatosEliminados` once the case's key is gone."""
    dek = adjunto.caso.dek()
    filas = db.session.execute(select(TrozoAdjunto.numero, TrozoAdjunto.datos).where(
        TrozoAdjunto.adjunto_id == adjunto.id).order_by(TrozoAdjunto.numero)).all()
    if [f.numero for f in filas] != list(range(adjunto.trozos_total)):
        raise sobres.DescifradoFallido("faltan trozos del archivo")
    return b"".join(sobres.descifrar_bytes(dek, f.datos, _aad(adjunto.id, adjunto.caso_id, f.numero,
                                                                adjunto.trozos_total)) for f in filas)


def del_caso(caso) -> list[Adjunto]:
    return list(db.session.scalars(select(Adjunto).where(Adjunto.caso_id == caso.id)
                                   .order_by(Adjunto.subido_en.desc())))
