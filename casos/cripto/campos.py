"""Encrypted fields on ORM models, invisible to the rest of the code.

    class Victima(db.Model, CifradoPorCaso):
        nombre_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
        nombre = Cifrado()

`victima.nombre = "…"` encrypts into `nombre_cifrado` under the case's data key with the
associated data "victima.nombre_cifrado:<row id>"; reading decrypts. A column type could not
do this: it never sees the row id. Owners of a data key (a case, a draft) use `ConDEK`.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime

from sqlalchemy import Integer, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from casos.bd import FechaUTC, ahora
from casos.cripto import llavero_actual, sobres


class DatosEliminados(Exception):
    """The case's data key was destroyed (crypto-shredding): its fields are gone for good."""


class DatosBloqueados(Exception):
    """The case is blocked by the retention schedule (casos/conservacion/): its key opens only
    within a request that reached it through a read the admin authorized."""


class ConDEK:
    """Mixin for the owner of a data key: a case, or an intake draft before it is a case."""

    dek_envuelta: Mapped[bytes | None] = mapped_column(LargeBinary)
    kek_version: Mapped[int | None] = mapped_column(Integer, index=True)
    datos_eliminados_en: Mapped[datetime | None] = mapped_column(FechaUTC)

    def iniciar_dek(self) -> None:
        if self.id is None:
            self.id = uuid.uuid4()
        dek = sobres.nueva_dek()
        llavero = llavero_actual()
        self.dek_envuelta = sobres.envolver_dek(dek, str(self.id), llavero)
        self.kek_version = llavero.activa
        self._dek = (self.dek_envuelta, dek, sobres.cifrador(dek))

    def dek(self) -> bytes:
        return self._dek_abierta()[1]

    def cifrador(self):
        """The data key as an AES-GCM object, made once per loaded row (for this request
        only: the row and its key go with the session)."""
        return self._dek_abierta()[2]

    def _dek_abierta(self) -> tuple:
        envuelta = self.dek_envuelta  # reloaded after expire: a shredded key is seen at once
        if envuelta is None:
            raise DatosEliminados("los datos personales de este registro fueron eliminados")
        cacheada = self.__dict__.get("_dek")
        if cacheada is not None and cacheada[0] == envuelta:
            return cacheada
        version = sobres.version_kek(envuelta)
        llavero = llavero_actual()
        if version not in llavero.maestras:  # rotated by another process meanwhile
            llavero = llavero_actual(recargar=True)
        dek = sobres.desenvolver_dek(envuelta, str(self.id), llavero)
        self._dek = (envuelta, dek, sobres.cifrador(dek))
        return self._dek

    def destruir_dek(self) -> None:
        self.dek_envuelta = None
        self.kek_version = None
        self.datos_eliminados_en = ahora()
        self.__dict__.pop("_dek", None)

    @property
    def datos_eliminados(self) -> bool:
        return self.datos_eliminados_en is not None

    def propietario_dek(self):
        return self


class CifradoPorCaso:
    """Mixin for rows whose fields are encrypted under their case's key."""

    def propietario_dek(self):
        if self.caso is None:
            raise RuntimeError(f"{type(self).__name__}: asigne el caso antes de los campos cifrados")
        return self.caso


def _a_texto(tipo: str, valor) -> str:
    if tipo == "fecha":
        return valor.isoformat()
    if tipo == "json":
        return json.dumps(valor, ensure_ascii=False, sort_keys=True)
    return str(valor)


def _de_texto(tipo: str, texto: str):
    if tipo == "fecha":
        return date.fromisoformat(texto)
    if tipo == "json":
        return json.loads(texto)
    if tipo == "entero":
        return int(texto)
    return texto


class Cifrado:
    """Descriptor for one encrypted attribute, stored in the `<name>_cifrado` column."""

    def __init__(self, tipo: str = "texto"):
        self.tipo = tipo

    def __set_name__(self, dueno, nombre):
        self.nombre = nombre
        self.columna = f"{nombre}_cifrado"

    def _aad(self, obj) -> str:
        return f"{obj.__tablename__}.{self.columna}:{obj.id}"

    def __get__(self, obj, tipo_dueno=None):
        if obj is None:
            return self
        cifrado = getattr(obj, self.columna)
        if cifrado is None:
            return None
        return _de_texto(self.tipo, sobres.descifrar(obj.propietario_dek().cifrador(), cifrado, self._aad(obj)))

    def __set__(self, obj, valor):
        if valor is None or valor == "":
            setattr(obj, self.columna, None)
            return
        if obj.id is None:
            obj.id = uuid.uuid4()  # the associated data needs the row id before the INSERT
        setattr(obj, self.columna, sobres.cifrar(obj.propietario_dek().cifrador(), _a_texto(self.tipo, valor), self._aad(obj)))
