"""A reason kept in the audit trail stays there forever (the table is insert-only and is never
crypto-shredded), so it must carry no personal data. Names can't be told apart from words;
the shapes that can — a CURP, an e-mail address, a phone number — are refused."""

from __future__ import annotations

import re

_CURP = re.compile(r"\b[A-Z]{4}\d{6}[HMX][A-Z]{5}[0-9A-Z]\d\b", re.IGNORECASE)
_CORREO = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
# Ten digits as Mexican phones are written (4929990001, 492 999 0001, 55-1234-5678), not part
# of a longer number or of a folio such as 2026/0012345678.
_TELEFONO = re.compile(r"(?<![\d/])(?:\d{3}[\s.-]?\d{3}[\s.-]?\d{4}|\d{2}[\s.-]?\d{4}[\s.-]?\d{4})(?![\d/])")


def datos_personales_en(texto: str | None) -> list[str]:
    """What kinds of personal data the text seems to contain, in Spanish; [] when none."""
    texto = texto or ""
    return [tipo for tipo, patron in (("una CURP", _CURP), ("un correo", _CORREO),
                                      ("un teléfono", _TELEFONO)) if patron.search(texto)]
