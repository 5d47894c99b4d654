"""The key file: versioned master keys (KEK), the blind-index key and the audit-chain key.

It lives outside the repository and outside database backups, mode 0600. A KMS or Vault
transit engine can replace it behind the same small interface (`Llavero`).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

LONGITUD = 32  # 256-bit keys


class LlaveroInvalido(RuntimeError):
    pass


def _b64(datos: bytes) -> str:
    return base64.b64encode(datos).decode()


@dataclass(frozen=True)
class Llavero:
    maestras: dict[int, bytes]
    activa: int
    indice: bytes
    auditoria: bytes
    entorno: str

    def maestra(self, version: int) -> bytes:
        try:
            return self.maestras[version]
        except KeyError:
            raise LlaveroInvalido(f"no existe la clave maestra versión {version}") from None

    def cifrador(self, version: int):
        """The master key as an AES-GCM object, made once per process (`sobres.cifrador`)."""
        from casos.cripto.sobres import cifrador

        cifradores = self.__dict__.setdefault("_cifradores", {})
        if version not in cifradores:
            cifradores[version] = cifrador(self.maestra(version))
        return cifradores[version]


def _escribir(ruta: Path, contenido: dict) -> None:
    """Atomic replace of the file, never readable by others, even for a moment."""
    ruta.parent.mkdir(parents=True, exist_ok=True)
    temporal = ruta.with_suffix(".tmp")
    descriptor = os.open(temporal, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as archivo:
        json.dump(contenido, archivo, indent=2)
        archivo.flush()
        os.fsync(archivo.fileno())
    os.replace(temporal, ruta)


def crear(ruta: Path, entorno: str) -> bool:
    """Create a new key file if none exists. Returns whether it created one."""
    if ruta.exists():
        return False
    _escribir(ruta, {
        "entorno": entorno,
        "activa": 1,
        "maestras": {"1": _b64(secrets.token_bytes(LONGITUD))},
        "indice": _b64(secrets.token_bytes(LONGITUD)),
        "auditoria": _b64(secrets.token_bytes(LONGITUD)),
    })
    return True


def agregar_version(ruta: Path) -> int:
    """A new master key becomes the active one; the old ones stay until retired."""
    datos = json.loads(Path(ruta).read_text())
    nueva = max(int(v) for v in datos["maestras"]) + 1
    datos["maestras"][str(nueva)] = _b64(secrets.token_bytes(LONGITUD))
    datos["activa"] = nueva
    _escribir(Path(ruta), datos)
    return nueva


def retirar_version(ruta: Path, version: int) -> None:
    datos = json.loads(Path(ruta).read_text())
    if int(datos["activa"]) == version:
        raise LlaveroInvalido("No se puede retirar la clave maestra activa.")
    if datos["maestras"].pop(str(version), None) is None:
        raise LlaveroInvalido(f"No existe la clave maestra versión {version}.")
    _escribir(Path(ruta), datos)


def cargar(ruta: str | Path, *, exigir_produccion: bool = False) -> Llavero:
    ruta = Path(ruta)
    if not ruta.is_file():
        raise LlaveroInvalido(
            f"No existe el archivo de claves {ruta}. En desarrollo lo crea «flask --app wsgi init»; "
            "en producción, «python -m casos.cripto.llavero RUTA».")
    if stat.S_IMODE(ruta.stat().st_mode) & 0o077:
        raise LlaveroInvalido(f"El archivo de claves {ruta} debe tener permisos 0600.")
    try:
        datos = json.loads(ruta.read_text())
        llavero = Llavero(
            maestras={int(v): base64.b64decode(k) for v, k in datos["maestras"].items()},
            activa=int(datos["activa"]),
            indice=base64.b64decode(datos["indice"]),
            auditoria=base64.b64decode(datos["auditoria"]),
            entorno=datos["entorno"],
        )
    except (ValueError, KeyError, TypeError) as error:
        raise LlaveroInvalido(f"El archivo de claves {ruta} no es válido.") from error
    claves = [*llavero.maestras.values(), llavero.indice, llavero.auditoria]
    if any(len(k) != LONGITUD for k in claves) or llavero.activa not in llavero.maestras:
        raise LlaveroInvalido(f"El archivo de claves {ruta} no es válido.")
    if exigir_produccion and llavero.entorno != "produccion":
        raise LlaveroInvalido("Producción no arranca con un archivo de claves de desarrollo.")
    return llavero


if __name__ == "__main__":
    # python -m casos.cripto.llavero RUTA: the production key file, made before the app starts.
    import sys

    if len(sys.argv) != 2:
        sys.exit("uso: python -m casos.cripto.llavero RUTA_DEL_ARCHIVO_DE_CLAVES")
    destino = Path(sys.argv[1])
    if not crear(destino, "produccion"):
        sys.exit(f"{destino} ya existe; no se sobrescribe.")
    print(f"Archivo de claves creado en {destino} (0600). Respáldelo aparte de la base de datos.")
