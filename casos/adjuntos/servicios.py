"""Keeping a file encrypted, reading it back, listing the files a person may open.

The bytes are cut in chunks of TROZO and each is sealed with AES-GCM under the case's data
key, its associated data naming the file, the case, the chunk and how many there are: a chunk
moved to another file or case, reordered, or a file cut short fails to decrypt. The chunks
are kept where the configuration says (casos/adjuntos/almacen.py). Crypto-shredding the case
destroys the key they need.
"""

from __future__ import annotations

import uuid
from functools import cache

from flask import current_app
from sqlalchemy import bindparam, select

from casos import auditoria
from casos.acceso import documentos_de
from casos.adjuntos import almacen
from casos.adjuntos.archivos import Archivo, limpiar
from casos.adjuntos.modelos import Adjunto
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


def adjuntar(caso, usuaria, *, datos: bytes, nombre: str, categoria: str, canalizacion=None) -> Adjunto:
    """Check, clean and keep a file of the case, with the referral it goes with if any (the
    route's loader decided who may). `ArchivoRechazado` (nothing saved) when it can't be kept."""
    if caso.datos_eliminados:
        raise DatosEliminados("los datos personales de este caso fueron eliminados")
    if categoria not in CATEGORIAS_ADJUNTO:
        raise MovimientoIlegal("Elija qué documento es.")
    archivo: Archivo = limpiar(datos, maximo())
    adjunto = Adjunto(id=uuid.uuid4(), caso=caso, institucion_id=usuaria.institucion_id, subido_por_id=usuaria.id,
                      canalizacion_id=canalizacion.id if canalizacion is not None else None,
                      categoria=categoria, tipo=archivo.tipo, tamano=len(archivo.datos),
                      almacen=almacen.almacen_actual())
    adjunto.nombre = (nombre or "documento")[-200:]
    dek = caso.dek()
    trozos = [archivo.datos[i:i + TROZO] for i in range(0, len(archivo.datos), TROZO)]
    adjunto.trozos_total = len(trozos)
    db.session.add(adjunto)
    db.session.flush()  # its row before its chunks' (no ORM relationship orders them)
    almacen.guardar(adjunto, [sobres.cifrar_bytes(dek, trozo, _aad(adjunto.id, caso.id, numero, len(trozos)))
                              for numero, trozo in enumerate(trozos)])
    db.session.flush()
    auditoria.al_confirmar("adjunto.subir", caso_id=caso.id, objeto_id=adjunto.id, usuaria=usuaria)
    return adjunto


def contenido(adjunto: Adjunto) -> bytes:
    """The file's bytes; `DatosEliminados` once the case's key is gone."""
    dek = adjunto.caso.dek()
    sellados = almacen.leer(adjunto)
    if sellados is None:
        raise sobres.DescifradoFallido("faltan trozos del archivo")
    return b"".join(sobres.descifrar_bytes(dek, sellado, _aad(adjunto.id, adjunto.caso_id, numero,
                                                               adjunto.trozos_total))
                    for numero, sellado in enumerate(sellados))


def todos_del_caso(caso) -> list[Adjunto]:
    """Every file of the case, oldest first: what an ARCO acceso lists of them (by category,
    casos/impresos/acceso_arco.py); never for a person's view, which is `que_abre`."""
    return list(db.session.scalars(select(Adjunto).where(Adjunto.caso_id == caso.id).order_by(Adjunto.subido_en)))


def que_abre(caso, usuaria, *, canalizacion=None) -> list[Adjunto]:
    """The case's files she may open, newest first (`documentos_de`); with `canalizacion`,
    only those that go with it."""
    documentos = documentos_de(caso, usuaria)
    if not documentos.propia and documentos.canalizacion is None:
        return []
    if canalizacion is None:
        adjuntos = db.session.scalars(_del_caso(), {"caso_id": caso.id})
    else:
        adjuntos = db.session.scalars(_del_caso().where(Adjunto.canalizacion_id == canalizacion.id),
                                      {"caso_id": caso.id})
    return [a for a in adjuntos if documentos.abre(a)]


@cache
def _del_caso():
    """Built once: every case page runs it (building it cost more than running it)."""
    return select(Adjunto).where(Adjunto.caso_id == bindparam("caso_id")).order_by(Adjunto.subido_en.desc())
