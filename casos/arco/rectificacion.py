"""Rectificación carried out: her corrected fields written through the encrypted-field path.

What is correctable is her own identity and contact data (`Victima`'s encrypted fields): what
a request to correct "her data" names. The audit event and the request's history name the
fields, never a value; the before/after the officer needs for her answer is kept on the
request encrypted under the case's key (`SolicitudArco.rectificacion`), so shredding the case
takes it too.
"""

from __future__ import annotations

from datetime import date

from casos import auditoria
from casos.arco.modelos import SolicitudArco
from casos.cripto import indices
from casos.expedientes.curp import fecha_de_nacimiento
from flujos import MovimientoIlegal

# Field -> what the form and the confirmation call it, in the intake's order.
CAMPOS = {
    "nombre": "Nombre completo",
    "curp": "CURP",
    "fecha_nacimiento": "Fecha de nacimiento",
    "edad_aproximada": "Edad aproximada",
    "telefono": "Teléfono",
    "domicilio": "Domicilio",
    "lengua_indigena": "Lengua indígena",
    "discapacidad": "Discapacidad",
    "nacionalidad": "Nacionalidad",
}


def actuales(victima) -> dict:
    """Her data as they are now (decrypts: call after the route's read event)."""
    return {campo: getattr(victima, campo) for campo in CAMPOS}


def _normal(valor):
    return None if valor is None or (isinstance(valor, str) and not valor.strip()) else (
        valor.strip() if isinstance(valor, str) else valor)


def cambios(victima, nuevos: dict) -> dict[str, tuple]:
    """Field -> (before, after), only the fields whose value changes."""
    antes = actuales(victima)
    return {campo: (antes[campo], _normal(nuevos.get(campo))) for campo in CAMPOS
            if _normal(antes[campo]) != _normal(nuevos.get(campo))}


def como_texto(valor) -> str:
    if valor is None:
        return "(vacío)"
    if isinstance(valor, date):
        return valor.strftime("%d/%m/%Y")
    return str(valor)


def rectificar(solicitud: SolicitudArco, usuaria, nuevos: dict, *, version_vista: int) -> list[str]:
    """Write the corrected fields and carry the request out, in one transaction; returns the
    names of the fields rectified. The request's move comes first: a stale page loses before
    anything is written."""
    from casos.arco.servicios import DatosMovimiento, mover

    victima = solicitud.caso.victima
    diferencias = cambios(victima, nuevos)
    if not diferencias:
        raise MovimientoIlegal("No cambió ningún dato: corrija al menos uno, o vuelva a la solicitud.")
    campos = list(diferencias)
    mover(solicitud, "hacer_efectivo", usuaria, version_vista=version_vista,
          datos=DatosMovimiento(rectificados=tuple(campos)))
    for campo, (_antes, despues) in diferencias.items():
        setattr(victima, campo, despues)
    # The blind indexes follow the values, so search and duplicate checks find her as corrected.
    if {"nombre", "curp", "fecha_nacimiento"} & diferencias.keys():
        curp = victima.curp
        nacimiento = victima.fecha_nacimiento or (fecha_de_nacimiento(curp) if curp else None)
        victima.idx_curp = indices.indice_curp(curp)
        victima.idx_nombre = indices.indice_nombre(victima.nombre)
        victima.idx_nombre_nacimiento = indices.indice_nombre_nacimiento(victima.nombre, nacimiento)
    solicitud.rectificacion = {campo: [como_texto(a), como_texto(d)] for campo, (a, d) in diferencias.items()}
    auditoria.al_confirmar("arco.rectificar", caso_id=solicitud.caso_id, objeto_id=solicitud.id, usuaria=usuaria,
                           motivo=f"Rectificó: {', '.join(campos)}.")  # field names; objeto_id: the request
    return campos
