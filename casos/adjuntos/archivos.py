"""What a file is, judged by its content, never by its name; and what is kept of it.

A PDF must parse (pypdf, strict) and have at least one page: a truncated or fake one is
refused. An image (JPEG, PNG) is decoded and encoded again from its pixels alone (Pillow),
turned upright first: its metadata (GPS position, device, dates, thumbnails) never reaches
the database. Anything else — an executable renamed .pdf included — is refused. Every refusal
says in Spanish what to do; nothing is stored.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError

from flujos import MovimientoIlegal

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
FIRMAS = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
# Decoding a small file into a huge image (a "decompression bomb") is refused as such.
PIXELES_MAXIMOS = 40_000_000


class ArchivoRechazado(MovimientoIlegal):
    """The file can't be kept; the message says why, in Spanish (shown under the field)."""


@dataclass(frozen=True)
class Archivo:
    tipo: str
    datos: bytes


def tipo_por_contenido(datos: bytes) -> str | None:
    return next((tipo for firma, tipo in FIRMAS if datos.startswith(firma)), None)


def limpiar(datos: bytes, maximo: int) -> Archivo:
    """The file as it will be stored, or `ArchivoRechazado`."""
    if not datos:
        raise ArchivoRechazado("El archivo está vacío: elija otro.")
    if len(datos) > maximo:
        raise ArchivoRechazado(f"El archivo pesa más de {round(maximo / (1024 * 1024), 2):g} MB: "
                               "redúzcalo (escanee a menor resolución) o divídalo.")
    tipo = tipo_por_contenido(datos)
    if tipo is None:
        raise ArchivoRechazado("Solo se aceptan documentos PDF e imágenes JPEG o PNG; este archivo es de "
                               "otro tipo, aunque su nombre diga otra cosa.")
    if tipo == PDF:
        return Archivo(PDF, _pdf(datos))
    return Archivo(tipo, _imagen(datos, tipo))


def _pdf(datos: bytes) -> bytes:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lector = PdfReader(io.BytesIO(datos), strict=True)
            if lector.is_encrypted:
                raise ArchivoRechazado("El PDF tiene contraseña: guárdelo sin ella y vuelva a subirlo.")
            if len(lector.pages) == 0:
                raise ArchivoRechazado("El PDF no tiene páginas.")
    except ArchivoRechazado:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, AssertionError):
        raise ArchivoRechazado("El PDF está dañado o incompleto: vuelva a guardarlo o escanearlo.") from None
    return datos


def _imagen(datos: bytes, tipo: str) -> bytes:
    try:
        with Image.open(io.BytesIO(datos)) as imagen:
            if imagen.width * imagen.height > PIXELES_MAXIMOS:
                raise ArchivoRechazado("La imagen es demasiado grande: redúzcala.")
            imagen.load()
            derecha = ImageOps.exif_transpose(imagen)  # upright, before the EXIF goes
            if derecha.mode not in ("RGB", "RGBA", "L", "LA"):  # a palette, CMYK…: plain pixels
                derecha = derecha.convert("RGBA" if derecha.mode in ("P", "PA") else "RGB")
            # A new image holds the pixels and nothing else: no EXIF, XMP, ICC, text chunks.
            limpia = Image.new(derecha.mode, derecha.size)
            limpia.paste(derecha)
    except ArchivoRechazado:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ArchivoRechazado("La imagen está dañada o incompleta: vuelva a tomarla o a escanearla.") from None
    salida = io.BytesIO()
    if tipo == JPEG:
        if limpia.mode not in ("RGB", "L"):  # JPEG has no transparency
            limpia = limpia.convert("RGB")
        limpia.save(salida, "JPEG", quality=90, optimize=True)
    else:
        limpia.save(salida, "PNG", optimize=True)
    return salida.getvalue()
