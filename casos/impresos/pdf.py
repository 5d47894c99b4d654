"""A `Documento` drawn as PDF (fpdf2) with the core Helvetica font: nothing to install on the
server, nothing embedded. Core fonts draw Windows-1252 (the WinAnsi encoding fpdf2 declares for
them: Latin-1's letters plus dashes and quotes), which covers Spanish; `para_pdf` degrades any
other character instead of failing on what someone typed. Every page's footer says
"CONFIDENCIAL", who printed it and when, and "Página n de N"; the metadata name the document
and its folio only.
"""

from __future__ import annotations

import unicodedata

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from casos.bd import ahora
from casos.impresos.documento import Documento, Linea

CODIFICACION = "windows-1252"
LETRA = "Helvetica"
VIOLETA = (63, 29, 94)
ROJO = (164, 22, 26)
NEGRO = (31, 26, 36)


def _cabe(caracter: str) -> bool:
    try:
        caracter.encode(CODIFICACION)
    except UnicodeEncodeError:
        return False
    return not unicodedata.category(caracter).startswith("C")


def _degradar(caracter: str) -> str:
    if caracter == "\n" or _cabe(caracter):
        return caracter
    categoria = unicodedata.category(caracter)
    if categoria in ("Cc", "Zs"):  # a tab, a control character, an unusual space
        return " "
    if categoria in ("Zl", "Zp"):
        return "\n"
    if categoria == "Cf":  # invisible: zero-width joiners, marks of direction
        return ""
    # "Ŏ" -> "O", "𝔄" -> "A", "ﬁ" -> "fi": what is left without accents or styling.
    base = "".join(c for c in unicodedata.normalize("NFKD", caracter) if not unicodedata.combining(c))
    return base if base and all(_cabe(c) for c in base) else "?"


def para_pdf(texto: str) -> str:
    """Text the core fonts can draw; never an exception for what someone typed."""
    return "".join(_degradar(c) for c in str(texto).replace("\r\n", "\n").replace("\r", "\n"))


class _Hoja(FPDF):
    def __init__(self, documento: Documento):
        super().__init__(format="letter")  # tamaño carta, Mexico's office paper
        self.core_fonts_encoding = CODIFICACION
        self.documento = documento
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(True, margin=24)

    def footer(self):
        self.set_y(-20)
        self.set_text_color(*NEGRO)
        self.set_font(LETRA, "B", 8)
        self.cell(0, 4, "CONFIDENCIAL", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(LETRA, "", 8)
        self.multi_cell(0, 4, para_pdf(f"{self.documento.impreso_por} · Página {self.page_no()} de {{nb}}"),
                        align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def parrafo(self, texto: str, *, estilo: str = "", tamano: float = 10, color=NEGRO, sangria: float = 0):
        self.set_font(LETRA, estilo, tamano)
        self.set_text_color(*color)
        self.set_x(self.l_margin + sangria)
        self.multi_cell(self.epw - sangria, tamano * 0.5, para_pdf(texto), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def dato(self, linea: Linea):
        self.set_text_color(*NEGRO)
        self.set_font(LETRA, "B", 10)
        self.write(5, para_pdf(f"{linea.etiqueta}: "))
        self.set_font(LETRA, "", 10)
        self.write(5, para_pdf(linea.texto))
        self.ln(6)

    def titulo_de_seccion(self, titulo: str):
        if self.will_page_break(20):  # never a title alone at the foot of a page
            self.add_page()
        self.ln(2)
        self.parrafo(titulo, estilo="B", tamano=12, color=VIOLETA)


def dibujar(documento: Documento) -> bytes:
    hoja = _Hoja(documento)
    hoja.set_title(para_pdf(documento.titulo_pdf))
    hoja.set_author("Ruta Violeta")
    hoja.set_subject("Documento confidencial")
    hoja.set_creator("Ruta Violeta")
    hoja.set_creation_date(ahora())
    hoja.add_page()
    hoja.parrafo(documento.titulo, estilo="B", tamano=16, color=VIOLETA)
    hoja.parrafo(f"Folio: {documento.folio}", tamano=9)
    hoja.parrafo(documento.aviso, estilo="B", tamano=8.5, color=ROJO)
    for seccion in documento.secciones:
        hoja.titulo_de_seccion(seccion.titulo)
        for linea in seccion.lineas:
            if linea.tipo == "dato":
                hoja.dato(linea)
            elif linea.tipo == "alerta":
                hoja.parrafo(linea.texto, estilo="B", color=ROJO)
            elif linea.tipo == "subtitulo":
                hoja.parrafo(linea.texto, estilo="B", tamano=10.5)
            elif linea.tipo == "punto":
                hoja.parrafo(f"• {linea.texto}", sangria=3)
            else:
                hoja.parrafo(linea.texto)
    return bytes(hoja.output())
