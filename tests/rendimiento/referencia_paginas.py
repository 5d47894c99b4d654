"""The two pages of the lean reference (referencia.py): the visibility rule as SQL, each page's
reads as `text()` statements built once, the decryption through casos/cripto/sobres.py, and
one compiled Jinja template per page.

What each page decrypts is what the app's page decrypts for that person (casos/acceso): the
owning institution every section; a receiving institution what the woman shared with it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone

from jinja2 import Environment
from sqlalchemy import JSON, Boolean, Date, DateTime, Uuid, bindparam, text

from casos.catalogos import (
    DATOS_COMPARTIBLES,
    MODALIDADES,
    NIVELES_RIESGO,
    RELACIONES_AGRESOR,
    SERVICIOS,
    TIPOS_VIOLENCIA,
    municipios,
)
from casos.cripto import llavero as llaveros
from casos.cripto import sobres
from flujos import FLUJOS
from flujos.canalizacion import COMPARTEN, VIGENTES
from flujos.caso import ABIERTOS
from tests.rendimiento import referencia_plantillas as plantillas

U, F = Uuid(), DateTime(timezone=True)
POR_PAGINA = 50
TODAS = frozenset(DATOS_COMPARTIBLES) | {"perfil"}  # casos/acceso/casos.py: the owner reads all
ESTADOS_CASO = FLUJOS["caso"].estados


def _en(estados) -> str:
    return "(" + ", ".join(f"'{e}'" for e in sorted(estados)) + ")"


# casos/acceso/casos.py `_partes_visibles`, as SQL over `caso c`: her institution's cases (a
# blocked one through an authorized read only), and another's shared by a live referral with
# her consent in force and no opposition to this kind of institution, never erased or blocked.
_PROPIOS = """(c.institucion_id = :inst AND (c.bloqueado_en IS NULL OR c.id IN (
    SELECT l.caso_id FROM lectura_bloqueada l WHERE l.solicitada_por_id = :usuaria
    AND l.estado = 'autorizada' AND l.vence_en > :ahora)))"""
_COMPARTIDOS = f"""(c.id IN (
    SELECT k.caso_id FROM canalizacion k JOIN consentimiento s ON s.caso_id = k.caso_id
    WHERE k.destino_id = :inst AND k.estado IN {_en(VIGENTES)} AND s.autoriza_canalizar = :si
    AND s.revocado_en IS NULL AND (s.vigente_hasta IS NULL OR s.vigente_hasta >= :hoy)
    AND NOT EXISTS (SELECT 1 FROM oposicion o WHERE o.caso_id = k.caso_id
                    AND o.tipo_institucion = :tipo))
    AND c.institucion_id <> :inst AND c.datos_eliminados_en IS NULL AND c.bloqueado_en IS NULL)"""
_ALCANCE = (bindparam("inst", type_=U), bindparam("usuaria", type_=U), bindparam("ahora", type_=F),
            bindparam("hoy", type_=Date), bindparam("si", type_=Boolean))


def _parametros_de_alcance(cuenta, momento: datetime, hoy: date) -> dict:
    return {"inst": cuenta.institucion_id, "usuaria": cuenta.id, "ahora": momento, "hoy": hoy,
            "si": True, "tipo": cuenta.institucion_tipo}


_CASO = text(f"""
    SELECT c.id, c.institucion_id, c.municipio, c.estado, c.creado_en, c.nivel_riesgo, c.urgente,
        c.proxima_valoracion, c.dek_envuelta, c.datos_eliminados_en, c.bloqueado_en, c.responsable_id,
        i.nombre AS institucion, i.siglas, r.nombre AS responsable, cp.nombre AS creado_por,
        v.id AS victima_id, v.nombre_cifrado, v.curp_cifrado, v.fecha_nacimiento_cifrado,
        v.edad_aproximada_cifrado, v.telefono_cifrado, v.domicilio_cifrado, v.lengua_indigena_cifrado,
        v.discapacidad_cifrado, v.nacionalidad_cifrado, v.contacto_seguro_cifrado, v.idx_curp,
        v.idx_nombre_nacimiento,
        s.id AS consentimiento_id, s.autoriza_canalizar, s.tipos_institucion, s.datos_compartibles,
        s.vigente_hasta, s.registrado_en, s.revocado_en, s.revocada_el, s.revocacion_informada_por,
        s.motivo_revocacion_cifrado, sp.nombre AS registrado_por, sv.nombre AS revocado_por
    FROM caso c JOIN institucion i ON i.id = c.institucion_id
    LEFT JOIN usuaria r ON r.id = c.responsable_id LEFT JOIN usuaria cp ON cp.id = c.creado_por_id
    LEFT JOIN victima v ON v.caso_id = c.id LEFT JOIN consentimiento s ON s.caso_id = c.id
    LEFT JOIN usuaria sp ON sp.id = s.registrado_por_id LEFT JOIN usuaria sv ON sv.id = s.revocado_por_id
    WHERE c.id = :caso AND ({_PROPIOS} OR {_COMPARTIDOS})""").bindparams(
    bindparam("caso", type_=U), *_ALCANCE).columns(
    id=U, institucion_id=U, creado_en=F, urgente=Boolean, proxima_valoracion=F, datos_eliminados_en=F,
    bloqueado_en=F, responsable_id=U, victima_id=U, consentimiento_id=U, autoriza_canalizar=Boolean,
    tipos_institucion=JSON, datos_compartibles=JSON, vigente_hasta=Date, registrado_en=F,
    revocado_en=F, revocada_el=Date)
# The live referral a receiving institution reads the case by (canalizaciones `vigente_para`).
_SU_CANALIZACION = text(f"""
    SELECT k.id, k.estado, k.datos_compartidos FROM canalizacion k
    WHERE k.caso_id = :caso AND k.destino_id = :inst AND k.estado IN {_en(VIGENTES)}
    ORDER BY k.creada_en DESC LIMIT 1""").bindparams(
    bindparam("caso", type_=U), bindparam("inst", type_=U)).columns(id=U, datos_compartidos=JSON)


def _del_caso(sql: str, **tipos):
    return text(sql).bindparams(bindparam("caso", type_=U)).columns(**tipos)


_HECHOS = _del_caso("SELECT id, fecha, municipio, lugar_cifrado, narrativa_cifrado FROM hecho "
                    "WHERE caso_id = :caso ORDER BY fecha", id=U, fecha=Date)
_TIPOS_Y_MODALIDADES = _del_caso("""
    SELECT t.hecho_id, 't' AS clase, t.tipo AS valor FROM hecho_tipo t JOIN hecho h ON h.id = t.hecho_id
    WHERE h.caso_id = :caso
    UNION ALL SELECT m.hecho_id, 'm', m.modalidad FROM hecho_modalidad m JOIN hecho h ON h.id = m.hecho_id
    WHERE h.caso_id = :caso""", hecho_id=U)
_NNA = _del_caso("SELECT id, nombre_cifrado, edad_cifrado, violencia_directa FROM nna WHERE caso_id = :caso "
                 "ORDER BY id", id=U, violencia_directa=Boolean)
_AGRESORES = _del_caso("SELECT id, nombre_cifrado, relacion, vive_con_ella, acceso_armas FROM agresor "
                       "WHERE caso_id = :caso ORDER BY id", id=U, vive_con_ella=Boolean, acceso_armas=Boolean)
_VALORACIONES = _del_caso("""
    SELECT v.id, v.creada_en, v.puntaje, v.nivel_calculado, v.nivel, v.proxima_valoracion, v.estado,
        v.respuestas_cifrado, v.motivo_cifrado, u.nombre AS autora
    FROM valoracion_riesgo v LEFT JOIN usuaria u ON u.id = v.autor_id
    WHERE v.caso_id = :caso ORDER BY v.creada_en DESC""", id=U, creada_en=F, proxima_valoracion=F)
_ORDENES = _del_caso("""
    SELECT id, tipo, autoridad, estado, solicitada_en, emitida_en, vence_en, notas_cifrado
    FROM orden_proteccion WHERE caso_id = :caso ORDER BY solicitada_en""",
                     id=U, solicitada_en=F, emitida_en=F, vence_en=F)
_CANALIZACIONES = _del_caso("""
    SELECT k.id, k.estado, k.servicios, k.creada_en, d.nombre AS destino
    FROM canalizacion k JOIN institucion d ON d.id = k.destino_id
    WHERE k.caso_id = :caso ORDER BY k.creada_en""", id=U, servicios=JSON, creada_en=F)
_ATENCIONES = _del_caso("""
    SELECT a.id, a.tipo, a.fecha, a.duracion_minutos, a.institucion_id, a.registrada_en, a.notas_cifrado,
        u.nombre AS brindada_por, i.siglas
    FROM atencion a LEFT JOIN usuaria u ON u.id = a.brindada_por_id JOIN institucion i ON i.id = a.institucion_id
    WHERE a.caso_id = :caso AND (:todas = :si OR a.institucion_id = :inst) ORDER BY a.fecha""",
                        id=U, institucion_id=U, registrada_en=F).bindparams(
    bindparam("inst", type_=U), bindparam("todas", type_=Boolean), bindparam("si", type_=Boolean))
_ADJUNTOS = _del_caso("""
    SELECT a.id, a.subido_en, a.categoria, a.tamano, a.nombre_cifrado, u.nombre AS subido_por, i.siglas
    FROM adjunto a LEFT JOIN usuaria u ON u.id = a.subido_por_id JOIN institucion i ON i.id = a.institucion_id
    WHERE a.caso_id = :caso ORDER BY a.subido_en DESC""", id=U, subido_en=F)
_TRANSICIONES = _del_caso("""
    SELECT t.id, t.momento, t.entidad, t.evento, t.origen, t.destino, t.rol, t.motivo_cifrado,
        u.nombre, i.siglas
    FROM transicion t LEFT JOIN usuaria u ON u.id = t.usuaria_id LEFT JOIN institucion i ON i.id = t.institucion_id
    WHERE t.caso_id = :caso ORDER BY t.momento""", id=U, momento=F)
_SOLICITUDES = _del_caso("""
    SELECT s.id, s.entidad, s.evento, s.creada_en, s.estado, s.motivo_cifrado, u.nombre AS solicitante
    FROM solicitud_aprobacion s LEFT JOIN usuaria u ON u.id = s.solicitante_id
    WHERE s.caso_id = :caso ORDER BY s.creada_en""", id=U, creada_en=F)
_ASIGNACIONES = _del_caso("""
    SELECT a.momento, r.nombre AS responsable, p.nombre AS por
    FROM asignacion a LEFT JOIN usuaria r ON r.id = a.responsable_id LEFT JOIN usuaria p ON p.id = a.asignada_por_id
    WHERE a.caso_id = :caso ORDER BY a.momento""", momento=F)
_DUPLICADOS = text("""
    SELECT DISTINCT i.nombre FROM institucion i JOIN caso c ON c.institucion_id = i.id
    JOIN victima v ON v.caso_id = c.id
    WHERE (v.idx_curp = :idx_curp OR v.idx_nombre_nacimiento = :idx_nombre_nacimiento)
    AND c.datos_eliminados_en IS NULL AND c.id <> :caso ORDER BY i.nombre""").bindparams(
    bindparam("caso", type_=U))

# The list (casos/expedientes/listado.py, no filters, newest first): the first page of each
# part of her scope, each on its own index, then the page from those.
_ORDEN = "ORDER BY c.creado_en DESC, c.id DESC"
_LISTA = text(f"""
    SELECT c.id, c.institucion_id, c.municipio, c.estado, c.nivel_riesgo, c.urgente,
        c.proxima_valoracion, c.creado_en, c.dek_envuelta, c.datos_eliminados_en, c.responsable_id,
        r.nombre AS responsable, v.id AS victima_id, v.nombre_cifrado, o.siglas
    FROM caso c LEFT JOIN victima v ON v.caso_id = c.id LEFT JOIN usuaria r ON r.id = c.responsable_id
    JOIN institucion o ON o.id = c.institucion_id
    WHERE c.id IN (
        SELECT id FROM (SELECT c.id FROM caso c WHERE {_PROPIOS} {_ORDEN} LIMIT {POR_PAGINA + 1}) AS propios
        UNION ALL
        SELECT id FROM (SELECT c.id FROM caso c WHERE {_COMPARTIDOS} {_ORDEN} LIMIT {POR_PAGINA + 1}) AS compartidos)
    {_ORDEN} LIMIT {POR_PAGINA + 1}""").bindparams(*_ALCANCE).columns(
    id=U, institucion_id=U, urgente=Boolean, proxima_valoracion=F, creado_en=F, datos_eliminados_en=F,
    responsable_id=U, victima_id=U)
_COMPARTIDAS_EN_LISTA = text(f"""
    SELECT k.caso_id, k.datos_compartidos, s.datos_compartibles
    FROM canalizacion k JOIN consentimiento s ON s.caso_id = k.caso_id
    WHERE k.destino_id = :inst AND k.estado IN {_en(COMPARTEN)} AND k.caso_id IN :ids
    ORDER BY k.creada_en""").bindparams(
    bindparam("inst", type_=U), bindparam("ids", type_=U, expanding=True)).columns(
    caso_id=U, datos_compartidos=JSON, datos_compartibles=JSON)
_BORRADORES = text("SELECT id, actualizado_en FROM borrador WHERE usuaria_id = :usuaria "
                   "ORDER BY actualizado_en DESC").bindparams(bindparam("usuaria", type_=U)).columns(
    id=U, actualizado_en=F)


def caso_visible(conexion, caso_id: uuid.UUID, cuenta, momento: datetime, hoy: date):
    """The case with her, her consent and the people it names, if she may see it; else None."""
    return conexion.execute(_CASO, {"caso": caso_id, **_parametros_de_alcance(cuenta, momento, hoy)}).first()


def _utc(valor):
    return valor.replace(tzinfo=timezone.utc) if valor is not None and valor.tzinfo is None else valor


class Descifrador:
    """One case's data key, unwrapped once; each field opened with its own associated data."""

    def __init__(self, caso_id, envuelta: bytes, llavero):
        if sobres.version_kek(envuelta) not in llavero.maestras:  # rotated meanwhile
            raise llaveros.LlaveroInvalido("la clave maestra del caso no está en el archivo de claves")
        self.dek = sobres.desenvolver_dek(bytes(envuelta), str(caso_id), llavero)

    def campo(self, tabla: str, columna: str, fila_id, cifrado, tipo: str = "texto"):
        if cifrado is None:
            return None
        valor = sobres.descifrar(self.dek, cifrado, f"{tabla}.{columna}:{fila_id}")
        if tipo == "fecha":
            return date.fromisoformat(valor)
        if tipo == "entero":
            return int(valor)
        if tipo == "json":
            return json.loads(valor)
        return valor


@dataclass(frozen=True)
class Fila:
    id: uuid.UUID
    eliminado: bool
    nombre: str | None
    nivel_riesgo: str | None
    urgente: bool
    estado: str
    municipio: str
    creado_en: datetime
    proxima_valoracion: datetime | None
    vencida: bool
    responsable: str | None
    suyo: bool


class Paginas:
    def __init__(self, zona):
        self.municipios = municipios()
        entorno = Environment(autoescape=True)
        entorno.filters["fecha"] = lambda v, formato="%d/%m/%Y %H:%M": "" if v is None else _utc(v).astimezone(zona).strftime(formato)
        entorno.globals.update(NIVELES_RIESGO=NIVELES_RIESGO, ESTADOS_CASO=ESTADOS_CASO, SERVICIOS=SERVICIOS,
                               RELACIONES_AGRESOR=RELACIONES_AGRESOR, TIPOS_VIOLENCIA=TIPOS_VIOLENCIA,
                               MODALIDADES=MODALIDADES, DATOS_COMPARTIBLES=DATOS_COMPARTIBLES)
        self._caso = entorno.from_string(plantillas.CASO)
        self._lista = entorno.from_string(plantillas.LISTA)

    def _municipio(self, clave) -> str:
        municipio = self.municipios.get(clave)
        return municipio.nombre if municipio else "—"

    # ---- the case page -------------------------------------------------------------------------

    def caso(self, conexion, caso, cuenta, llavero, momento: datetime, hoy: date) -> str:
        propia = caso.institucion_id == cuenta.institucion_id
        eliminado = caso.datos_eliminados_en is not None
        canalizacion = None
        if eliminado:
            secciones = frozenset()
        elif propia:
            secciones = TODAS
        else:
            canalizacion = conexion.execute(_SU_CANALIZACION, {"caso": caso.id, "inst": cuenta.institucion_id}).first()
            secciones = (frozenset(canalizacion.datos_compartidos) & frozenset(caso.datos_compartibles or ())
                         if canalizacion is not None and canalizacion.estado in COMPARTEN else frozenset())
        if eliminado:
            return self._caso.render(caso=caso, eliminado=True, propia=propia)
        d = Descifrador(caso.id, caso.dek_envuelta, llavero)
        v = caso.victima_id
        victima = {n: d.campo("victima", f"{n}_cifrado", v, getattr(caso, f"{n}_cifrado"), t) for n, t in (
            ("nombre", "texto"), ("curp", "texto"), ("fecha_nacimiento", "fecha"), ("edad_aproximada", "entero"),
            ("telefono", "texto"), ("domicilio", "texto"), ("lengua_indigena", "texto"),
            ("discapacidad", "texto"), ("nacionalidad", "texto"), ("contacto_seguro", "json"))
            if _lee(n, secciones)} if v is not None else {}
        p = {"caso": caso.id}
        contexto = {"caso": caso, "eliminado": False, "propia": propia, "secciones": secciones, "v": victima,
                    "contacto": victima.get("contacto_seguro") or {}, "ahora": momento, "hoy": hoy,
                    "municipio": self._municipio(caso.municipio)}
        if "hechos" in secciones:
            clases = {}
            for fila in conexion.execute(_TIPOS_Y_MODALIDADES, p):
                clases.setdefault((fila.hecho_id, fila.clase), []).append(fila.valor)
            contexto["hechos"] = [
                {"fecha": h.fecha, "municipio": self._municipio(h.municipio),
                 "lugar": d.campo("hecho", "lugar_cifrado", h.id, h.lugar_cifrado),
                 "narrativa": d.campo("hecho", "narrativa_cifrado", h.id, h.narrativa_cifrado),
                 "tipos": clases.get((h.id, "t"), []), "modalidades": clases.get((h.id, "m"), [])}
                for h in conexion.execute(_HECHOS, p)]
        if "nna" in secciones:
            contexto["nna"] = [{"nombre": d.campo("nna", "nombre_cifrado", n.id, n.nombre_cifrado),
                                "edad": d.campo("nna", "edad_cifrado", n.id, n.edad_cifrado, "entero"),
                                "violencia_directa": n.violencia_directa} for n in conexion.execute(_NNA, p)]
        if "agresor" in secciones:
            contexto["agresores"] = [{"nombre": d.campo("agresor", "nombre_cifrado", a.id, a.nombre_cifrado),
                                      "relacion": a.relacion, "vive_con_ella": a.vive_con_ella,
                                      "acceso_armas": a.acceso_armas} for a in conexion.execute(_AGRESORES, p)]
        if "riesgo" in secciones:
            contexto["valoraciones"] = [
                {"fila": val, "motivo": d.campo("valoracion_riesgo", "motivo_cifrado", val.id, val.motivo_cifrado),
                 # The app's risk explanation reads her answers: the same decryption here.
                 "si": sorted(k for k, r in (d.campo("valoracion_riesgo", "respuestas_cifrado", val.id,
                                                     val.respuestas_cifrado, "json") or {}).items() if r is True)}
                for val in conexion.execute(_VALORACIONES, p)]
        if propia or "riesgo" in secciones:
            contexto["ordenes"] = [{"fila": o, "notas": d.campo("orden_proteccion", "notas_cifrado", o.id, o.notas_cifrado)
                                    if propia else None} for o in conexion.execute(_ORDENES, p)]
        contexto["atenciones"] = [
            {"fila": a, "notas": d.campo("atencion", "notas_cifrado", a.id, a.notas_cifrado)
             if a.institucion_id == cuenta.institucion_id else None}
            for a in conexion.execute(_ATENCIONES, {**p, "inst": cuenta.institucion_id, "todas": propia, "si": True})]
        if propia:
            self._de_la_duena(conexion, caso, d, contexto, p)
        return self._caso.render(**contexto)

    def _de_la_duena(self, conexion, caso, d: Descifrador, contexto: dict, p: dict) -> None:
        """What only the owning institution reads: referrals, files, consent, duplicates, history."""
        contexto["canalizaciones"] = conexion.execute(_CANALIZACIONES, p).all()
        contexto["adjuntos"] = [{"fila": a, "nombre": d.campo("adjunto", "nombre_cifrado", a.id, a.nombre_cifrado)}
                                for a in conexion.execute(_ADJUNTOS, p)]
        contexto["motivo_revocacion"] = (d.campo("consentimiento", "motivo_revocacion_cifrado", caso.consentimiento_id,
                                                 caso.motivo_revocacion_cifrado) if caso.revocado_en else None)
        contexto["duplicados"] = [] if caso.idx_curp is None and caso.idx_nombre_nacimiento is None else list(
            conexion.scalars(_DUPLICADOS, {"caso": caso.id, "idx_curp": caso.idx_curp,
                                           "idx_nombre_nacimiento": caso.idx_nombre_nacimiento}))
        historia = [(caso.creado_en, "Caso registrado", caso.creado_por or "Sistema", "", None)]
        if caso.consentimiento_id is not None:
            historia.append((caso.registrado_en, "Consentimiento registrado", caso.registrado_por or "Sistema", "", None))
            if caso.revocado_en:
                historia.append((caso.revocado_en, "Consentimiento revocado", caso.revocado_por or "Sistema", "",
                                 contexto["motivo_revocacion"]))
        for t in conexion.execute(_TRANSICIONES, p):
            flujo = FLUJOS.get(t.entidad)
            detalle = (f"{flujo.estados.get(t.origen, t.origen)} → {flujo.estados.get(t.destino, t.destino)}"
                       if flujo and t.origen != t.destino else "")
            historia.append((t.momento, flujo.suceso(t.evento) if flujo else t.evento,
                             f"{t.nombre} ({t.rol}, {t.siglas})" if t.nombre else "Sistema", detalle,
                             d.campo("transicion", "motivo_cifrado", t.id, t.motivo_cifrado)))
        solicitudes = conexion.execute(_SOLICITUDES, p).all()
        contexto["pendientes"] = [s for s in solicitudes if s.estado == "pendiente"]
        for s in solicitudes:
            if s.entidad not in ("canalizacion", "valoracion_riesgo"):
                historia.append((s.creada_en, f"Solicitud: {s.evento}", s.solicitante or "Sistema", s.estado,
                                 d.campo("solicitud_aprobacion", "motivo_cifrado", s.id, s.motivo_cifrado)))
        for val in contexto.get("valoraciones", ()):
            historia.append((val["fila"].creada_en, "Valoración de riesgo", val["fila"].autora or "Sistema",
                             NIVELES_RIESGO.get(val["fila"].nivel, ""), val["motivo"]))
        historia += [(a.momento, "Responsable asignada", a.por or "Sistema", a.responsable or "", None)
                     for a in conexion.execute(_ASIGNACIONES, p)]
        historia += [(a["fila"].registrada_en, f"Atención: {a['fila'].tipo}", a["fila"].brindada_por or "Sistema",
                      "", None) for a in contexto["atenciones"]]
        contexto["historia"] = sorted(historia, key=lambda h: _utc(h[0]))

    # ---- the list ------------------------------------------------------------------------------

    def lista(self, conexion, cuenta, llavero, momento: datetime, hoy: date) -> str:
        casos = conexion.execute(_LISTA, _parametros_de_alcance(cuenta, momento, hoy)).all()
        ajenos = [c.id for c in casos if c.institucion_id != cuenta.institucion_id]
        compartidas = {}
        if ajenos:
            for k in conexion.execute(_COMPARTIDAS_EN_LISTA, {"inst": cuenta.institucion_id, "ids": ajenos}):
                compartidas[k.caso_id] = frozenset(k.datos_compartidos) & frozenset(k.datos_compartibles)
        filas = [self._fila(c, cuenta, llavero, momento, compartidas) for c in casos[:POR_PAGINA]]
        borradores = conexion.execute(_BORRADORES, {"usuaria": cuenta.id}).all()
        return self._lista.render(filas=filas, borradores=borradores, siguiente=len(casos) > POR_PAGINA)

    def _fila(self, c, cuenta, llavero, momento: datetime, compartidas: dict) -> Fila:
        propia = c.institucion_id == cuenta.institucion_id
        categorias = TODAS if propia else compartidas.get(c.id, frozenset())
        eliminado = c.datos_eliminados_en is not None
        identidad = not eliminado and "identidad" in categorias
        riesgo = not eliminado and "riesgo" in categorias
        nombre = None
        if identidad and c.victima_id is not None:
            nombre = Descifrador(c.id, c.dek_envuelta, llavero).campo(
                "victima", "nombre_cifrado", c.victima_id, c.nombre_cifrado)
        elif not propia:
            nombre = "Caso no disponible" if eliminado else f"Caso canalizado por {c.siglas}"
        abierto = c.estado in ABIERTOS
        proxima = c.proxima_valoracion if propia and not eliminado and abierto else None
        return Fila(c.id, eliminado, nombre, c.nivel_riesgo if riesgo else None,
                    bool(riesgo and abierto and c.urgente), ESTADOS_CASO.get(c.estado, c.estado),
                    self._municipio(c.municipio) if propia or {"identidad", "contacto"} & categorias else "—",
                    c.creado_en, proxima, proxima is not None and _utc(proxima) < momento,
                    (c.responsable or "Sin responsable") if propia else None,
                    propia and c.responsable_id == cuenta.id)


def _lee(campo: str, secciones: frozenset) -> bool:
    """Which of her fields a section shows (plantillas/expedientes/caso.html)."""
    if campo in ("nombre", "curp", "fecha_nacimiento", "edad_aproximada"):
        return "identidad" in secciones
    if campo in ("lengua_indigena", "discapacidad", "nacionalidad"):
        return "perfil" in secciones
    return "contacto" in secciones  # telefono, domicilio, contacto_seguro
