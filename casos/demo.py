"""Demo data: synthetic institutions and accounts, all with a published password."""

from __future__ import annotations

from sqlalchemy import select

from casos.cuentas import segundo_factor, servicios
from casos.cuentas.modelos import Institucion
from casos.extensiones import db

CONTRASENA_DEMO = "clave-de-prueba-demo"
# Published in the README so a newcomer can pass the second factor of the demo accounts that
# need one. Demo mode only: `segundo_factor.sembrar_demo` refuses in production.
SECRETO_TOTP_DEMO = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

INSTITUCIONES = (
    # siglas, nombre, tipo, municipio
    ("FGJEZ", "Fiscalía Especializada en Atención de Delitos contra las Mujeres (demo)", "fiscalia", "32056"),
    ("CJM", "Centro de Justicia para las Mujeres de Zacatecas (demo)", "cjm", "32056"),
    ("SEMUJER", "Secretaría de las Mujeres del Estado de Zacatecas (demo)", "semujer", "32056"),
)

# Two supervisoras per institution: one never approves her own requests (four eyes), so with
# a single one her referrals, closures and lowered risk levels could never be approved.
CUENTAS = (
    ("capturista@fiscalia.demo", "Capturista Fiscalía", "capturista", "FGJEZ"),
    ("supervisora@fiscalia.demo", "Supervisora Fiscalía", "supervisora", "FGJEZ"),
    ("supervisora2@fiscalia.demo", "Segunda supervisora Fiscalía", "supervisora", "FGJEZ"),
    ("capturista@cjm.demo", "Capturista CJM", "capturista", "CJM"),
    ("supervisora@cjm.demo", "Supervisora CJM", "supervisora", "CJM"),
    ("supervisora2@cjm.demo", "Segunda supervisora CJM", "supervisora", "CJM"),
    ("capturista@semujer.demo", "Capturista SEMUJER", "capturista", "SEMUJER"),
    ("supervisora@semujer.demo", "Supervisora SEMUJER", "supervisora", "SEMUJER"),
    ("supervisora2@semujer.demo", "Segunda supervisora SEMUJER", "supervisora", "SEMUJER"),
    ("gestora@semujer.demo", "Gestora SEMUJER", "gestora", "SEMUJER"),
    ("admin@semujer.demo", "Administración SEMUJER", "admin", "SEMUJER"),
)


def sembrar() -> int:
    """Idempotent: what exists is left as it is. Returns how many accounts it created."""
    por_siglas = {}
    for siglas, nombre, tipo, municipio in INSTITUCIONES:
        institucion = db.session.scalar(select(Institucion).where(Institucion.siglas == siglas))
        if institucion is None:
            institucion = Institucion(siglas=siglas, nombre=nombre, tipo=tipo, municipio=municipio)
            db.session.add(institucion)
        por_siglas[siglas] = institucion
    db.session.flush()
    creadas = 0
    for correo, nombre, rol, siglas in CUENTAS:
        usuaria = servicios.buscar_por_correo(correo)
        if usuaria is None:
            usuaria = servicios.crear_usuaria(correo=correo, nombre=nombre, rol=rol,
                                              institucion=por_siglas[siglas], contrasena=CONTRASENA_DEMO)
            creadas += 1
        if segundo_factor.obligatorio(usuaria) and not segundo_factor.activo(usuaria):
            segundo_factor.sembrar_demo(usuaria, SECRETO_TOTP_DEMO)
    db.session.commit()
    return creadas
