"""A printed document as plain values: what the HTML page and the PDF both draw, so that the
two can never disagree on what they show. Nothing here decrypts: `contenido.py` fills it."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

from flask import current_app

from casos.bd import ahora

AVISO_CONFIDENCIAL = (
    "CONFIDENCIAL. Contiene datos personales de una mujer que vive violencia, protegidos por la "
    "Ley General de Protección de Datos Personales en Posesión de Sujetos Obligados y la Ley General "
    "de Acceso de las Mujeres a una Vida Libre de Violencia. Úselo solo para atenderla; no lo copie, "
    "fotografíe ni comparta, y destrúyalo de forma segura cuando ya no lo necesite.")


@dataclass(frozen=True)
class Linea:
    """One line of a section: `dato` (etiqueta: texto), `texto` (a paragraph, line breaks
    kept), `punto` (an item of a list), `subtitulo`, or `alerta` (said first and in bold)."""

    tipo: str
    texto: str
    etiqueta: str = ""


def dato(etiqueta: str, texto) -> Linea:
    return Linea("dato", str(texto), etiqueta)


def texto(valor: str) -> Linea:
    return Linea("texto", valor)


def punto(valor: str) -> Linea:
    return Linea("punto", valor)


def subtitulo(valor: str) -> Linea:
    return Linea("subtitulo", valor)


def alerta(valor: str) -> Linea:
    return Linea("alerta", valor)


@dataclass
class Seccion:
    titulo: str
    lineas: list[Linea] = field(default_factory=list)

    def bloques(self) -> list[tuple[str, list[Linea]]]:
        """Consecutive lines of one kind together: a list of data, a list of items."""
        return [(tipo, list(grupo)) for tipo, grupo in groupby(self.lineas, key=lambda linea: linea.tipo)]


@dataclass
class Documento:
    titulo: str  # "Oficio de canalización": with the folio, the PDF's title (no personal data)
    folio: str
    archivo: str  # the download's name: a kind and the folio's start, never her name
    impreso_por: str
    secciones: list[Seccion] = field(default_factory=list)
    aviso: str = AVISO_CONFIDENCIAL

    @property
    def titulo_pdf(self) -> str:
        return f"{self.titulo} {self.folio}"


# Dates and catalogue labels exactly as the pages show them: the app's own template filters
# (casos/registro.py), in America/Mexico_City.
def fecha(momento, formato: str = "%d/%m/%Y %H:%M") -> str:
    return current_app.jinja_env.filters["fecha_local"](momento, formato)


def dia(valor) -> str:
    return valor.strftime("%d/%m/%Y") if valor else "—"


def etiquetas(claves, catalogo: dict, separador: str = ", ") -> str:
    return current_app.jinja_env.filters["etiquetas"](claves, catalogo, separador)


def impreso_por(usuaria) -> str:
    return (f"Impreso por {usuaria.nombre} ({usuaria.institucion.siglas}) el {fecha(ahora())} "
            "(hora del centro de México)")
