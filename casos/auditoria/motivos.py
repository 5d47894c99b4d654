"""A reason kept in the audit trail stays there forever (the table is insert-only and is never
crypto-shredded), so it must carry no personal data. Names can't be told apart from words;
the shapes that can — a CURP, an e-mail address, a phone number — are refused."""

from __future__ import annotations

import re

_CURP = re.compile(r"\b[A-Z]{4}\d{6}[HMX][A-Z]{5}[0-9A-Z]\d\b", re.IGNORECASE)
_CORREO = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
# Ten digits as Mexican phones are written (4929990001, 492 999 0001, (492) 999-0001,
# 55-1234-5678), not part of a longer number or of a folio such as 2026/0012345678.
_TELEFONO = re.compile(r"(?<![\d/])(?:\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}|\(?\d{2}\)?[\s.-]?\d{4}[\s.-]?\d{4})(?![\d/])")
# A CURP written in pieces ("PEMA 850101 MZSRRN02"): looked for, without word boundaries,
# in the text with its separators removed.
_SEPARADORES = re.compile(r"[\s.-]+")
_CURP_EN_PIEZAS = re.compile(r"[A-Z]{4}\d{6}[HMX][A-Z]{5}[0-9A-Z]\d", re.IGNORECASE)


def datos_personales_en(texto: str | None) -> list[str]:
    """What kinds of personal data the text seems to contain, in Spanish; [] when none."""
    texto = texto or ""
    curp = _CURP.search(texto) or _CURP_EN_PIEZAS.search(_SEPARADORES.sub("", texto))
    return [tipo for tipo, hallado in (("una CURP", curp), ("un correo", _CORREO.search(texto)),
                                       ("un teléfono", _TELEFONO.search(texto))) if hallado]
