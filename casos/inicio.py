"""Each role's home: the work waiting for her, as counts with links to where it is done.

Counts only, one cheap statement each, and nothing decrypted: the home shows no woman's
data, so it writes no read event. The caseworkers' counts come from the pendientes service
(the same rules as the Pendientes page); the gestora's figures are the latest edition's,
never computed here; the admin's, from accounts, institutions, the key file
and the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func, select

from casos.acceso import permiso
from casos.arco import servicios as arco
from casos.auditoria.cli import INTEGRA
from casos.auditoria.modelos import EventoAuditoria
from casos.bd import ahora
from casos.cripto import llavero_actual
from casos.cuentas.modelos import Institucion, Usuaria
from casos.estadisticas import ediciones
from casos.estadisticas.ensamblado import nombre_del_mes
from casos.estadisticas.publicacion import Ambito
from casos.estadisticas.vistas import cifra
from casos.extensiones import db
from casos.pendientes import servicios as pendientes

bp = Blueprint("inicio", __name__)


@bp.route("/")
@permiso("inicio")
def inicio():
    contexto = {"capturista": _de_caso, "supervisora": _de_caso, "gestora": _de_gestora,
                "admin": _de_admin}[current_user.rol]()
    return render_template(f"inicio/{current_user.rol}.html", **contexto)


def _de_caso() -> dict:
    return {"resumen": pendientes.resumen(current_user)}


# ---- the gestora: the latest publication -------------------------------------------------------

# The headline indicators (casos/estadisticas/indicadores.py), as published.
DESTACADOS = ("mujeres_atendidas", "ordenes_solicitadas", "ordenes_en_4_horas",
              "canalizaciones_enviadas", "canalizaciones_en_plazo")


def _de_gestora() -> dict:
    """The latest edition's State figures of its latest year (the dashboard's own page of
    them): its number, date and months, and a few headline indicators with their marks.
    Nothing is computed here, so nothing unprotected can reach the page; with no edition yet,
    a message and a link."""
    k = ediciones.umbral()
    edicion = ediciones.ultima()
    indicadores, anio = [], None
    if edicion is not None:
        anio = ediciones.contenido(edicion).anios[0]
        publicados = {i["clave"]: i for i in ediciones.servir(
            edicion, anio, "anio", Ambito("estado")).publicacion.indicadores}
        indicadores = [publicados[c] for c in DESTACADOS if c in publicados]
    return {"edicion": edicion, "anio": anio, "indicadores": indicadores,
            "cifra": lambda valor: cifra(valor, k), "nombre_del_mes": nombre_del_mes}


# ---- the admin: accounts, institutions, the master key, the audit chain -----------------------

@dataclass(frozen=True)
class Verificacion:
    momento: datetime
    integra: bool
    resultado: str


def _de_admin() -> dict:
    bloqueadas = db.session.scalar(select(func.count()).select_from(Usuaria).where(
        Usuaria.bloqueada_en.is_not(None), Usuaria.activa.is_(True)))
    # Who can approve today, as the admin's institution pages count them (casos/admin/vistas.py):
    # active, not locked, with a password. Four eyes need two.
    supervisoras = (select(func.count()).select_from(Usuaria).where(
        Usuaria.institucion_id == Institucion.id, Usuaria.rol == "supervisora",
        Usuaria.activa.is_(True), Usuaria.bloqueada_en.is_(None),
        Usuaria.contrasena_hash.is_not(None)).scalar_subquery())
    cortas = db.session.scalar(select(func.count()).select_from(Institucion).where(
        Institucion.activa.is_(True), supervisoras < 2))
    rotada = _ultimo_de_consola("claves.rotar")
    # The key file keeps no dates: the active key is as old as its last completed rotation, or,
    # never rotated, as the installation, whose first act is the trail's first event.
    desde = rotada.momento if rotada else db.session.scalar(
        select(EventoAuditoria.momento).order_by(EventoAuditoria.secuencia).limit(1))
    verificada = _ultimo_de_consola("auditoria.verificar")
    from casos.conservacion import servicios as conservacion

    return {
        "lecturas_bloqueadas": conservacion.cuantas_pendientes(),
        "conservacion": _ultimo_de_consola("conservacion.revisar"),
        "arco": arco.conteos(),
        "bloqueadas": bloqueadas, "cortas": cortas, "version_clave": llavero_actual().activa,
        "clave_rotada": rotada is not None, "clave_desde": desde,
        "verificacion": verificada and Verificacion(
            verificada.momento, (verificada.motivo or "").startswith(INTEGRA), verificada.motivo or ""),
        "ahora": ahora(),
    }


def _ultimo_de_consola(accion: str):
    """The latest event of a command (no account: `usuaria_id` is NULL), found from the newest
    through the (usuaria_id, secuencia) index instead of reading every person's events."""
    return db.session.execute(
        select(EventoAuditoria.momento, EventoAuditoria.motivo)
        .where(EventoAuditoria.usuaria_id.is_(None), EventoAuditoria.accion == accion)
        .order_by(EventoAuditoria.secuencia.desc()).limit(1)).first()
