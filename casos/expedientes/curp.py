"""CURP validation as RENAPO defines it (DOMAIN.md): format, date, state and check digit."""

from __future__ import annotations

import re
from datetime import date

ALFABETO = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ"
ESTADOS = frozenset(
    "AS BC BS CC CL CM CS CH DF DG GT GR HG JC MC MN MS NT NL OC PL QT QR SP SL SR TC TS TL VZ "
    "YN ZS NE".split())
_FORMA = re.compile(r"^[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX][A-Z]{2}[B-DF-HJ-NP-TV-Z]{3}[0-9A-Z]\d$", re.ASCII)


def digito_verificador(curp17: str) -> int:
    suma = sum(ALFABETO.index(c) * (18 - i) for i, c in enumerate(curp17))
    return (10 - suma % 10) % 10


def fecha_de_nacimiento(curp: str) -> date | None:
    """The birth date a CURP encodes; the differentiator says the century."""
    siglo = 1900 if curp[16].isdigit() else 2000
    try:
        return date(siglo + int(curp[4:6]), int(curp[6:8]), int(curp[8:10]))
    except ValueError:
        return None


def errores_curp(curp: str) -> list[str]:
    """Spanish reasons why a CURP is invalid; empty when it is valid."""
    if len(curp) != 18:
        return ["La CURP tiene 18 caracteres."]
    if not _FORMA.match(curp):
        return ["La CURP no tiene el formato correcto (4 letras, 6 dígitos de fecha, sexo, "
                "estado, 3 consonantes, diferenciador y dígito)."]
    if fecha_de_nacimiento(curp) is None:
        return ["La fecha de nacimiento de la CURP no existe."]
    if curp[11:13] not in ESTADOS:
        return ["La clave de estado de la CURP no es válida."]
    if digito_verificador(curp[:17]) != int(curp[17]):
        return ["El dígito verificador de la CURP no coincide; revise que esté bien escrita."]
    return []
