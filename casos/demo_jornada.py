"""A credible working day for the demo (`flask demo --casos N`), laid over the bulk cases of
casos/demo_casos.py, so that a newcomer's homes, inboxes and pendientes show work waiting:

- cases in every state of their route, each with a responsible caseworker (assigned by a
  supervisora), the older ones mostly closed;
- referrals between the demo institutions in every state of flujos/canalizacion.py, some
  near or past the receiver's answer deadline;
- protection orders in every state of flujos/orden_proteccion.py, some within their 4-hour
  issue window, one late, one with its daily contact due, one near expiry;
- approval requests waiting at each institution (a referral to send, a closure, a lowered
  risk level), asked by one account so that another supervisora can resolve them;
- services given (atenciones), by the owning institution and under referrals;
- documents: the scan of each issued order, an ID sent with some referrals, a receiver's
  report on some accepted ones (images that say they are fictitious, encrypted as any file);
- a handful of late re-assessments per institution and a few due today.

Everything goes through the services the pages use: history rows, audit events, the four
eyes and the woman's consent are checked as for a real case. Only the moments are moved back
afterwards (`_Linea`), so a referral sent three days ago reads as sent three days ago; the audit
trail keeps the real time of the seed (it is insert-only and chained, and says truthfully when
the demo was built). Synthetic like the cases it touches; every page carries the demo banner.

Bounded: it works on a sample of at most LIMITE cases per institution, so a million-case
seed takes seconds more, not minutes. It runs once: a database with any referral, order or
service already lived its day (`ya_vivida`).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from casos.adjuntos.modelos import Adjunto
from casos.atenciones.modelos import Atencion
from casos.bd import ahora, hoy_local
from casos.canalizaciones import servicios as canalizaciones
from casos.canalizaciones.modelos import Canalizacion
from casos.catalogos import HORAS_REVALORACION, SERVICIOS, tipos_atencion
from casos.cuentas.modelos import Institucion, Usuaria
from casos.expedientes import servicios as expedientes
from casos.expedientes.modelos import Caso
from casos.extensiones import db
from casos.ordenes import servicios as ordenes
from casos.ordenes.modelos import OrdenProteccion
from casos.transiciones import servicios as transiciones
from casos.transiciones.modelos import HistorialTransicion, SolicitudAprobacion
from flujos import plazos
from flujos.aprobacion import PENDIENTE
from flujos.caso import ABIERTOS

# Cases per institution the day works on (a random sample when there are more).
LIMITE = 400
NOTA = "(texto sintético de demostración)"

# What each kind of institution gives (tipos_atencion) and is asked for by a referral (SERVICIOS).
ATENCIONES_POR_TIPO = {
    "fiscalia": ("juridica", "acompanamiento", "psicologica", "trabajo_social"),
    "cjm": ("psicologica", "juridica", "trabajo_social", "proteccion_nna", "empoderamiento", "refugio"),
    "semujer": ("psicologica", "empoderamiento", "juridica", "trabajo_social", "reeducacion"),
}
SERVICIOS_POR_TIPO = {
    "fiscalia": ("denuncia", "orden_proteccion", "juridica"),
    "cjm": ("psicologica", "juridica", "trabajo_social", "proteccion_nna", "empoderamiento"),
    "semujer": ("psicologica", "empoderamiento", "reeducacion"),
}
MOTIVOS_CANALIZACION = (
    "Requiere atención especializada y acompañamiento en su proceso " + NOTA,
    "Solicita apoyo para continuar su plan de seguridad y su proceso legal " + NOTA,
    "Necesita atención que su institución no brinda; acordó con ella la canalización " + NOTA,
)


@dataclass
class Equipo:
    """One demo institution: its people and the sample of its cases the day works on."""

    institucion: Institucion
    capturista: Usuaria
    supervisoras: list[Usuaria]
    casos: list[Caso] = field(default_factory=list)  # the sample, oldest first
    libres: list[Caso] = field(default_factory=list)  # not yet given a part in the day

    @property
    def personas(self) -> list[Usuaria]:
        return [self.capturista, *self.supervisoras]

    def otra_supervisora(self, que_no: Usuaria) -> Usuaria:
        return next(s for s in self.supervisoras if s.id != que_no.id)


class _Linea:
    """The day's story: what a service stamped "now" is moved back to when it happened in
    the story. Only rows stamped since the day began (`inicio`) move, so a row already
    dated is never touched again."""

    def __init__(self):
        self.inicio = ahora()
        self.zona = ZoneInfo(current_app.config["ZONA_HORARIA"])

    def hace(self, dias: float = 0, horas: float = 0) -> datetime:
        return self.inicio - timedelta(days=dias, hours=horas)

    def dia(self, momento: datetime) -> date:
        return momento.astimezone(self.zona).date()

    def fechar(self, entidad_id, evento: str, momento: datetime) -> None:
        db.session.execute(
            update(HistorialTransicion)
            .where(HistorialTransicion.entidad_id == entidad_id, HistorialTransicion.evento == evento,
                   HistorialTransicion.momento >= self.inicio)
            .values(momento=momento).execution_options(synchronize_session=False))

    def fechar_solicitud(self, solicitud: SolicitudAprobacion, creada: datetime,
                         resuelta: datetime | None = None) -> None:
        valores = {"creada_en": creada} | ({"resuelta_en": resuelta} if resuelta else {})
        db.session.execute(update(SolicitudAprobacion).where(SolicitudAprobacion.id == solicitud.id)
                           .values(**valores).execution_options(synchronize_session=False))
        self.fechar(solicitud.id, "crear", creada)
        if resuelta:
            db.session.execute(
                update(HistorialTransicion)
                .where(HistorialTransicion.entidad_id == solicitud.id, HistorialTransicion.evento != "crear",
                       HistorialTransicion.momento >= self.inicio)
                .values(momento=resuelta).execution_options(synchronize_session=False))


def ya_vivida() -> bool:
    """Any referral, order or service: the demo already lived its day (or someone works on it)."""
    return any(db.session.scalar(select(modelo.id).limit(1)) is not None
               for modelo in (Canalizacion, OrdenProteccion, Atencion))


def vivir(semilla: int = 2026) -> bool:
    """Lay the working day over the seeded cases, once. Commits. False when there was
    nothing to do (already lived, or no cases yet)."""
    if ya_vivida():
        return False
    equipos = _equipos()
    if not any(e.casos for e in equipos.values()):
        return False
    Jornada(equipos, random.Random(semilla)).vivir()
    db.session.commit()
    return True


def _equipos() -> dict[str, Equipo]:
    """The demo institutions with a capturista and two supervisoras, each with its sample of
    cases not yet touched by anyone (registered, open, with data)."""
    from casos.demo import CUENTAS

    orden = {correo: numero for numero, (correo, *_resto) in enumerate(CUENTAS)}
    personas = sorted(db.session.scalars(
        select(Usuaria).where(Usuaria.correo.in_(orden), Usuaria.activa.is_(True),
                              Usuaria.rol.in_(("capturista", "supervisora")))),
        key=lambda p: orden[p.correo])
    equipos = {}
    for institucion in sorted({p.institucion for p in personas}, key=lambda i: i.siglas):
        suyas = [p for p in personas if p.institucion_id == institucion.id]
        capturistas = [p for p in suyas if p.rol == "capturista"]
        supervisoras = [p for p in suyas if p.rol == "supervisora"]
        if not capturistas or len(supervisoras) < 2:
            continue
        consulta = (select(Caso).where(Caso.institucion_id == institucion.id, Caso.estado == "registrado",
                                       Caso.datos_eliminados_en.is_(None))
                    .options(selectinload(Caso.consentimiento), selectinload(Caso.valoraciones)))
        total = db.session.scalar(select(func.count()).select_from(consulta.subquery()))
        # Past LIMITE, a sample over all ages (the newest LIMITE of a million span a day).
        consulta = consulta.order_by(func.random() if total > LIMITE else Caso.id).limit(LIMITE)
        casos = sorted(db.session.scalars(consulta), key=lambda c: c.creado_en)
        equipos[institucion.siglas] = Equipo(institucion, capturistas[0], supervisoras[:2], casos)
    return equipos


class Jornada:
    def __init__(self, equipos: dict[str, Equipo], azar: random.Random):
        self.equipos, self.azar = equipos, azar
        self.linea = _Linea()
        self.hoy = hoy_local()

    # ---- the day -----------------------------------------------------------------------------

    def vivir(self) -> None:
        for equipo in self.equipos.values():
            equipo.libres = list(equipo.casos)
            self.azar.shuffle(equipo.libres)
            self._repartir(equipo)
        self._canalizaciones()
        self._ordenes()
        for equipo in self.equipos.values():
            self._aprobaciones_en_espera(equipo)
            self._revaloraciones(equipo)
            self._ciclo_de_vida(equipo)
            self._reasignaciones(equipo)
        self._solicitudes_arco()
        db.session.flush()

    # ---- people ------------------------------------------------------------------------------

    def _repartir(self, equipo: Equipo) -> None:
        """Who is in charge: a supervisora assigns each new case at intake, most to the
        capturista, some to herself or to the other supervisora."""
        from casos.expedientes.asignacion import asignar

        asigna = equipo.supervisoras[0]
        for caso in equipo.casos:
            responsable = self.azar.choices(equipo.personas, weights=(6, 2, 2))[0]
            asignacion = asignar(caso, responsable, asigna, version_vista=caso.version)
            if asignacion is not None:
                _poner(asignacion, momento=min(caso.creado_en + timedelta(hours=2), self.linea.inicio))

    def _reasignaciones(self, equipo: Equipo) -> None:
        """This week a supervisora moved a couple of open cases from one person to another."""
        from casos.expedientes.asignacion import asignar

        abiertos = [c for c in equipo.casos if c.estado in ABIERTOS]
        for caso in self.azar.sample(abiertos, min(2, len(abiertos))):
            otra = self.azar.choice([p for p in equipo.personas if p.id != caso.responsable_id])
            asignacion = asignar(caso, otra, equipo.supervisoras[1], version_vista=caso.version)
            if asignacion is not None:
                _poner(asignacion, momento=self.linea.hace(dias=self.azar.uniform(0.5, 5)))

    def _solicitudes_arco(self) -> None:
        """Requests over a woman's data for the admin (casos/arco/), through its services: one
        whose answer is due today, one due in a few días hábiles with the identity already
        accredited, one just prevented."""
        from casos.arco import servicios as arco
        from casos.arco.calendario import calendario

        admin = db.session.scalar(select(Usuaria).where(Usuaria.rol == "admin", Usuaria.activa.is_(True))
                                  .order_by(Usuaria.correo).limit(1))
        equipos = list(self.equipos.values())
        if admin is None or not equipos:
            return
        pedidos = (("cancelacion", 20, ()), ("acceso", 17, ("acreditar_identidad",)),
                   ("rectificacion", 0, ("prevenir",)))
        for numero, (derecho, atras, pasos) in enumerate(pedidos):
            equipo = equipos[numero % len(equipos)]
            recibida = calendario().restar(self.hoy, atras)
            caso = self._tomar(equipo, antes_de=datetime.combine(recibida, time.min, tzinfo=ZoneInfo(
                current_app.config["ZONA_HORARIA"])))
            if caso is None:
                continue
            solicitud = arco.registrar(admin, arco.DatosSolicitud(
                institucion_id=caso.institucion_id, caso_id=caso.id, derecho=derecho, recibida_el=recibida,
                medio=self.azar.choice(("presencial", "escrito", "plataforma")), presentada_por="titular",
                identificacion="ine", descripcion="Solicitud de demostración (datos ficticios).",
                folio=f"UT/{self.hoy.year}/{100 + numero:04d}"))
            for evento in pasos:
                arco.mover(solicitud, evento, admin, version_vista=solicitud.version, datos=arco.DatosMovimiento(
                    cotejo=True, motivo="Falta una copia legible de la identificación (demostración)."))

    def _quien(self, equipo: Equipo, caso: Caso) -> Usuaria:
        """The person who acts on a case: its responsible."""
        return next((p for p in equipo.personas if p.id == caso.responsable_id), equipo.capturista)

    # ---- picking cases -----------------------------------------------------------------------

    def _tomar(self, equipo: Equipo, *, antes_de: datetime | None = None, destino: Equipo | None = None,
               nivel_minimo: bool = False, valorado: bool = False) -> Caso | None:
        """A case not given a part yet, registered a day before `antes_de`, whose consent
        lets it be referred to `destino`, with a risk level above "bajo", or assessed."""
        for caso in equipo.libres:
            if antes_de is not None and caso.creado_en > antes_de - timedelta(days=1):
                continue
            if nivel_minimo and caso.nivel_riesgo in (None, "bajo"):
                continue
            if valorado and not caso.valoraciones:
                continue
            if destino is not None and destino.institucion not in canalizaciones.destinos_posibles(caso, self.hoy):
                continue
            equipo.libres.remove(caso)
            return caso
        return None

    def _atender(self, equipo: Equipo, caso: Caso, *, antes_de: datetime) -> None:
        """Attention began the day after intake (or an hour after, for a recent one)."""
        quien = self._quien(equipo, caso)
        transiciones.disparar(caso, "atender", transiciones.actor(quien, duena_id=caso.institucion_id),
                              quien, version_vista=caso.version)
        self.linea.fechar(caso.id, "atender", min(caso.creado_en + timedelta(days=1),
                                                  caso.creado_en + (antes_de - caso.creado_en) / 2))

    # ---- referrals ---------------------------------------------------------------------------

    # (origin, destination, state it ends in, how: days ago it was asked / hours until the
    # answer's deadline for "enviada")
    RUTAS = (
        ("FGJEZ", "CJM", "borrador", {"retirada": True}),
        ("FGJEZ", "CJM", "por_aprobar", {}),
        ("FGJEZ", "CJM", "enviada", {"plazo_en_horas": 50}),
        ("FGJEZ", "CJM", "enviada", {"plazo_en_horas": 3}),
        ("FGJEZ", "CJM", "aceptada", {}),
        ("FGJEZ", "CJM", "rechazada", {}),
        ("FGJEZ", "CJM", "atendida", {}),
        ("FGJEZ", "CJM", "concluida", {}),
        ("FGJEZ", "CJM", "cancelada", {}),
        ("CJM", "FGJEZ", "borrador", {"retirada": False}),
        ("CJM", "FGJEZ", "por_aprobar", {"pide_supervisora": True}),
        ("CJM", "FGJEZ", "enviada", {"plazo_en_horas": -10}),
        ("CJM", "FGJEZ", "aceptada", {}),
        ("CJM", "FGJEZ", "atendida", {}),
        ("SEMUJER", "CJM", "por_aprobar", {}),
        ("SEMUJER", "FGJEZ", "enviada", {"plazo_en_horas": 20}),
        ("SEMUJER", "CJM", "aceptada", {}),
        ("SEMUJER", "FGJEZ", "concluida", {}),
    )
    # Days ago each step happened, by the state the referral ends in: asked, sent, answered,
    # counter-referred, concluded.
    CALENDARIO = {
        "borrador": (3, 2), "por_aprobar": (0.6,), "aceptada": (8, 7.8, 6),
        "rechazada": (10, 9.8, 8), "atendida": (26, 25.8, 24, 4), "concluida": (50, 49.8, 48, 20, 15),
        "cancelada": (6, 5.8, 4),
    }

    def _canalizaciones(self) -> None:
        for origen, destino, estado, como in self.RUTAS:
            if origen in self.equipos and destino in self.equipos:
                self._canalizar(self.equipos[origen], self.equipos[destino], estado, **como)

    def _canalizar(self, origen: Equipo, destino: Equipo, estado: str, *, retirada: bool = False,
                   pide_supervisora: bool = False, plazo_en_horas: float | None = None) -> None:
        linea, azar = self.linea, self.azar
        if estado == "enviada":
            caso = self._tomar(origen, antes_de=linea.hace(dias=4), destino=destino)
            if caso is None:
                return
            # Sent so that the receiver's deadline falls `plazo_en_horas` from now (72 hours
            # to answer, 24 for an urgent case; no medical service is asked here).
            horas = plazos.horas_respuesta_canalizacion(urgente=caso.urgente, salud_por_violencia_sexual=False)
            enviada = min(linea.inicio + timedelta(hours=plazo_en_horas - horas), linea.hace(horas=1))
            momentos = [enviada - timedelta(hours=5), enviada]
        else:
            momentos = [linea.hace(dias=d) for d in self.CALENDARIO[estado]]
            caso = self._tomar(origen, antes_de=momentos[0], destino=destino)
            if caso is None:
                return
        self._atender(origen, caso, antes_de=momentos[0])
        pide = origen.supervisoras[0] if pide_supervisora else self._quien(origen, caso)
        aprueba = origen.otra_supervisora(pide) if pide.rol == "supervisora" else azar.choice(origen.supervisoras)
        receptora = self.azar.choice(destino.personas)
        posibles = [s for s in SERVICIOS_POR_TIPO.get(destino.institucion.tipo, ("psicologica",)) if s in SERVICIOS]
        pedidos = sorted(azar.sample(posibles, min(len(posibles), azar.randint(1, 2))))

        canalizacion = canalizaciones.solicitar(caso, pide, destino=destino.institucion, servicios=pedidos,
                                                motivo=azar.choice(MOTIVOS_CANALIZACION), hoy=self.hoy)
        solicitud = transiciones.pendiente_de(canalizacion, "enviar")
        _poner(canalizacion, creada_en=momentos[0])
        linea.fechar(canalizacion.id, "crear", momentos[0])
        linea.fechar(canalizacion.id, "solicitar_envio", momentos[0])
        if estado == "por_aprobar":
            linea.fechar_solicitud(solicitud, momentos[0])
            return
        if estado == "borrador":  # withdrawn by who asked, or sent back by a supervisora
            if retirada:
                transiciones.retirar(solicitud, canalizacion, pide, version_vista=solicitud.version,
                                     motivo="Falta confirmar con ella su horario de contacto seguro " + NOTA)
            else:
                transiciones.rechazar(solicitud, canalizacion, aprueba, version_vista=solicitud.version,
                                      motivo="Precise qué servicios necesita antes de enviarla " + NOTA)
            linea.fechar_solicitud(solicitud, momentos[0], momentos[1])
            linea.fechar(canalizacion.id, "devolver", momentos[1])
            return
        transiciones.aprobar(solicitud, canalizacion, aprueba, version_vista=solicitud.version)
        linea.fechar_solicitud(solicitud, momentos[0], momentos[1])
        linea.fechar(canalizacion.id, "enviar", momentos[1])
        # The deadline the service computed, counted from the moment it was sent in the story.
        _poner(canalizacion, enviada_en=momentos[1],
               plazo_respuesta=momentos[1] + (canalizacion.plazo_respuesta - canalizacion.enviada_en))
        if azar.random() < 0.5:  # her ID goes with it (the receiver opens it if she shared her identity)
            _documento(caso, pide, "identificacion", "Identificación oficial", momentos[0], canalizacion=canalizacion)
        if estado == "enviada":
            return
        if estado == "cancelada":
            canalizaciones.responder(canalizacion, "cancelar", pide, version_vista=canalizacion.version,
                                     motivo="Se mudó a otro municipio; la atenderá la institución de allá " + NOTA)
            linea.fechar(canalizacion.id, "cancelar", momentos[2])
            return
        if estado == "rechazada":
            canalizaciones.responder(canalizacion, "rechazar", receptora, version_vista=canalizacion.version,
                                     motivo="Sin cupo en el servicio pedido; se sugiere otra sede " + NOTA)
            _poner(canalizacion, respondida_en=momentos[2])
            linea.fechar(canalizacion.id, "rechazar", momentos[2])
            return
        canalizaciones.responder(canalizacion, "aceptar", receptora, version_vista=canalizacion.version)
        _poner(canalizacion, respondida_en=momentos[2])
        linea.fechar(canalizacion.id, "aceptar", momentos[2])
        hasta = momentos[3] if len(momentos) > 3 else linea.inicio
        self._atenciones(destino, caso, receptora, desde=momentos[2], hasta=hasta,
                         cuantas=azar.randint(1, 3), canalizacion=canalizacion)
        if azar.random() < 0.4:
            _documento(caso, receptora, "otro", "Informe de la primera atención", momentos[2] + timedelta(hours=4),
                       canalizacion=canalizacion)
        if estado == "aceptada":
            return
        canalizaciones.responder(canalizacion, "contrarreferir", receptora, version_vista=canalizacion.version,
                                 servicios_prestados=pedidos,
                                 nota="Se brindaron las sesiones acordadas; continúa en seguimiento " + NOTA)
        _poner(canalizacion, atendida_en=momentos[3])
        linea.fechar(canalizacion.id, "contrarreferir", momentos[3])
        if estado == "atendida":
            return
        canalizaciones.responder(canalizacion, "concluir", pide, version_vista=canalizacion.version)
        _poner(canalizacion, concluida_en=momentos[4])
        linea.fechar(canalizacion.id, "concluir", momentos[4])

    # ---- protection orders -------------------------------------------------------------------

    # (institution, state it ends in, hours ago requested, days ago issued, days in force,
    # daily contacts made)
    ORDENES = (
        ("FGJEZ", "solicitada", 1.5, None, None, 0),  # within its 4 hours
        ("FGJEZ", "solicitada", 6, None, None, 0),  # late: should have been issued 2 hours ago
        ("FGJEZ", "vigente", 22, 20 / 24, 60, 0),  # first daily contact due in about 4 hours
        ("FGJEZ", "vigente", 56 * 24, 55.8, 60, 6),  # expires in about 4 days
        ("FGJEZ", "prorrogada", 58 * 24, 57.8, 60, 6),
        ("FGJEZ", "vencida", 75 * 24, 74.8, 60, 6),
        ("FGJEZ", "levantada", 30 * 24, 29.8, 60, 6),
        ("FGJEZ", "negada", 10 * 24, None, None, 0),
        ("CJM", "solicitada", 3, None, None, 0),  # one hour left
        ("CJM", "vigente", 51, 50 / 24, 60, 1),  # second daily contact 2 hours late
        ("CJM", "prorrogada", 50 * 24, 49.7, 60, 6),
        ("CJM", "negada", 4 * 24, None, None, 0),
    )
    MEDIDAS = ("prohibicion_acercarse", "proteccion_policial", "salida_domicilio", "resguardo_armas",
               "suspension_visitas")

    def _ordenes(self) -> None:
        for siglas, estado, horas, emitida_dias, vigencia, contactos in self.ORDENES:
            equipo = self.equipos.get(siglas)
            if equipo is None:
                continue
            solicitada = self.linea.hace(horas=horas)
            caso = self._tomar(equipo, antes_de=solicitada, nivel_minimo=True) or self._tomar(
                equipo, antes_de=solicitada)
            if caso is None:
                continue
            self._atender(equipo, caso, antes_de=solicitada)
            quien = self._quien(equipo, caso)
            autoridad = "ministerio_publico" if equipo.institucion.tipo == "fiscalia" else "juzgado"
            orden = ordenes.registrar_solicitud(
                caso, quien, tipo="administrativa" if autoridad == "ministerio_publico" else "jurisdiccional",
                autoridad=autoridad, medidas=sorted(self.azar.sample(self.MEDIDAS, 2)), solicitada_en=solicitada,
                notas="Solicitada tras la valoración de riesgo " + NOTA)
            self.linea.fechar(orden.id, "solicitar", solicitada)
            if estado == "solicitada":
                continue
            if estado == "negada":
                ordenes.actuar(orden, "negar", quien, version_vista=orden.version,
                               motivo="La autoridad consideró insuficientes los elementos " + NOTA)
                self.linea.fechar(orden.id, "negar", solicitada + timedelta(hours=3))
                continue
            emitida = self.linea.hace(dias=emitida_dias)
            ordenes.actuar(orden, "emitir", quien, version_vista=orden.version, momento=emitida, dias=vigencia)
            self.linea.fechar(orden.id, "emitir", emitida)
            _documento(caso, quien, "orden_proteccion", "Orden de protección emitida", emitida + timedelta(hours=1))
            for numero in range(1, contactos + 1):  # each a little before it was due
                ordenes.registrar_seguimiento(orden, quien)
                contacto = emitida + timedelta(hours=plazos.ORDEN_SEGUIMIENTO_HORAS * numero - 2)
                _poner(orden, ultimo_seguimiento=contacto)
                self.linea.fechar(orden.id, "seguimiento", contacto)
            if estado == "prorrogada":  # extended a few days before it expired
                ordenes.actuar(orden, "prorrogar", quien, version_vista=orden.version,
                               dias=plazos.ORDEN_PRORROGA_DIAS)
                self.linea.fechar(orden.id, "prorrogar", min(emitida + timedelta(days=vigencia - 3),
                                                             self.linea.hace(horas=2)))
            elif estado == "levantada":  # after today's re-assessment, at the level she had
                ultima = caso.valoraciones[0] if caso.valoraciones else None
                respuestas = dict(ultima.respuestas) if ultima else _respuestas_en_no()
                expedientes.registrar_valoracion(caso, quien, respuestas, None, None)
                ordenes.actuar(orden, "levantar", quien, version_vista=orden.version,
                               motivo="Cambió de domicilio y la valoración de riesgo lo respalda " + NOTA)
        # The scheduled job marks what expired, the night it expired.
        vencidas = db.session.scalars(select(OrdenProteccion).where(
            OrdenProteccion.estado.in_(("vigente", "prorrogada")), OrdenProteccion.vence_en < self.linea.inicio)).all()
        ordenes.vencer_caducadas(transiciones.SISTEMA)
        for orden in vencidas:
            self.linea.fechar(orden.id, "vencer", orden.vence_en)

    # ---- requests waiting for a supervisora ----------------------------------------------------

    def _aprobaciones_en_espera(self, equipo: Equipo) -> None:
        """A closure asked yesterday afternoon and a lowered risk level asked this morning,
        one by a supervisora (so the other resolves it), one by the capturista."""
        siglas = equipo.institucion.siglas
        cierra, baja = ((equipo.supervisoras[0], equipo.capturista) if siglas != "CJM"
                        else (equipo.capturista, equipo.supervisoras[1]))
        pedida = self.linea.hace(horas=self.azar.uniform(16, 22))
        caso = self._tomar(equipo, antes_de=pedida - timedelta(days=30))
        if caso is not None:
            self._atender(equipo, caso, antes_de=pedida)
            solicitud = transiciones.solicitar(
                caso, "cerrar", transiciones.actor(cierra, duena_id=caso.institucion_id), cierra,
                motivo="Concluyó su plan de atención y no hay nuevos hechos " + NOTA)
            self.linea.fechar_solicitud(solicitud, pedida)
        caso = self._tomar(equipo, antes_de=self.linea.hace(dias=3), nivel_minimo=True)
        if caso is not None:
            self._atender(equipo, caso, antes_de=self.linea.hace(dias=2))
            # Today's re-assessment answers "no" to everything: the level it proposes is
            # lower than the case's, so it waits for a supervisora who is not its author.
            expedientes.registrar_valoracion(caso, baja, _respuestas_en_no(), None, None)

    # ---- re-assessments ------------------------------------------------------------------------

    def _revaloraciones(self, equipo: Equipo) -> None:
        """A handful late (some by hours, some by days) and a few due before midnight; the
        rest of the seed's cases were re-assessed on schedule (casos/demo_casos.py)."""
        inicio, azar = self.linea.inicio, self.azar
        cuando = [inicio - timedelta(hours=azar.uniform(2, 12 * 24)) for _ in range(azar.randint(3, 8))]
        # Due today: before midnight where she works (at 23:30 there is little "today" left).
        medianoche = datetime.combine(self.hoy + timedelta(days=1), time.min, self.linea.zona)
        queda = min(10.0, (medianoche - inicio).total_seconds() / 3600 - 0.1)
        if queda > 0:
            cuando += [inicio + timedelta(hours=azar.uniform(queda / 4, queda)) for _ in range(azar.randint(2, 4))]
        for proxima in cuando:
            caso = self._tomar(equipo, antes_de=proxima - timedelta(hours=max(HORAS_REVALORACION.values())),
                               valorado=True)
            if caso is None:
                return
            ultima = caso.valoraciones[0]
            self._atender(equipo, caso, antes_de=proxima - timedelta(hours=HORAS_REVALORACION[ultima.nivel]))
            _poner(ultima, creada_en=proxima - timedelta(hours=HORAS_REVALORACION[ultima.nivel]),
                   proxima_valoracion=proxima)
            _poner(caso, proxima_valoracion=proxima)

    # ---- every other case: attended, followed, closed, reopened --------------------------------

    def _ciclo_de_vida(self, equipo: Equipo) -> None:
        """The sample's other cases: most older than eight months closed (after the services
        they had), one reopened; the rest in attention or follow-up; this fortnight's still
        registered or just begun. Then services on the open ones."""
        inicio, azar = self.linea.inicio, self.azar
        reabierto = False
        for caso in list(equipo.libres):
            edad = (inicio - caso.creado_en).days
            if edad < 14 and azar.random() < 0.6:
                continue  # still "registrado": the first interview is this week
            equipo.libres.remove(caso)
            self._atender(equipo, caso, antes_de=inicio)
            quien = self._quien(equipo, caso)
            if edad >= 60 and azar.random() < 0.5:
                transiciones.disparar(caso, "dar_seguimiento", transiciones.actor(quien, duena_id=caso.institucion_id),
                                      quien, version_vista=caso.version)
                self.linea.fechar(caso.id, "dar_seguimiento", caso.creado_en + timedelta(days=azar.randint(30, 55)))
            if edad < 240 or azar.random() > 0.75:
                continue
            cierre = caso.creado_en + timedelta(days=azar.randint(120, min(edad - 10, 300)))
            self._atenciones(equipo, caso, quien, desde=caso.creado_en, hasta=cierre, cuantas=azar.randint(1, 4))
            aprueba = equipo.otra_supervisora(quien) if quien.rol == "supervisora" else azar.choice(equipo.supervisoras)
            solicitud = transiciones.solicitar(
                caso, "cerrar", transiciones.actor(quien, duena_id=caso.institucion_id), quien,
                motivo="Concluyó su plan de atención y no hay nuevos hechos " + NOTA)
            transiciones.aprobar(solicitud, caso, aprueba, version_vista=solicitud.version)
            self.linea.fechar_solicitud(solicitud, cierre - timedelta(days=1), cierre)
            self.linea.fechar(caso.id, "cerrar", cierre)
            if not reabierto:  # she came back after a new incident
                reabierto = True
                transiciones.disparar(caso, "reabrir", transiciones.actor(quien, duena_id=caso.institucion_id),
                                      quien, version_vista=caso.version,
                                      motivo="Regresó tras un nuevo episodio de violencia " + NOTA)
                self.linea.fechar(caso.id, "reabrir", inicio - timedelta(days=azar.randint(2, 9)))
        for caso in equipo.casos:
            if caso.estado in ("en_atencion", "en_seguimiento", "reabierto") and azar.random() < 0.45:
                quien = self._quien(equipo, caso)
                self._atenciones(equipo, caso, quien, desde=caso.creado_en, hasta=inicio,
                                 cuantas=azar.randint(1, 3))

    # ---- services ------------------------------------------------------------------------------

    def _atenciones(self, equipo: Equipo, caso: Caso, quien: Usuaria, *, desde: datetime, hasta: datetime,
                    cuantas: int, canalizacion: Canalizacion | None = None) -> None:
        """Services given between two moments by the institution's people, recorded the same
        day by who gave them. The first comes within a week, as a first attention does; the
        others any day after it."""
        from casos.atenciones.servicios import registrar_atencion

        tipos = [t for t in ATENCIONES_POR_TIPO.get(equipo.institucion.tipo, ()) if t in tipos_atencion()]
        tipos = tipos or list(tipos_atencion())
        primero, ultimo = self.linea.dia(desde), min(self.linea.dia(hasta), self.hoy)
        for numero in range(cuantas):
            if numero == 0:
                primero += timedelta(days=self.azar.randint(0, max(0, min(7, (ultimo - primero).days))))
            fecha = primero + timedelta(days=self.azar.randint(0, max(0, (ultimo - primero).days)) if numero else 0)
            da = self.azar.choice(equipo.personas)
            atencion = registrar_atencion(
                caso, da, tipo=self.azar.choice(tipos), fecha=fecha,
                duracion_minutos=self.azar.choice((30, 45, 60, 60, 90, 120)),
                notas="Sesión de atención " + NOTA, brindada_por=da, canalizacion=canalizacion)
            _poner(atencion, registrada_en=min(datetime.combine(fecha, time(18), self.linea.zona),
                                               self.linea.inicio))


def _documento(caso: Caso, quien: Usuaria, categoria: str, titulo: str, momento: datetime,
               canalizacion: Canalizacion | None = None) -> None:
    """A 'scan' that says it is fictitious, attached as the pages attach one."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    from casos.adjuntos.servicios import adjuntar

    imagen = Image.new("L", (850, 1100), 255)
    dibujo = ImageDraw.Draw(imagen)
    letra = ImageFont.load_default(size=34)
    for renglon, texto in enumerate(("DOCUMENTO DE DEMOSTRACIÓN", "Ficticio: no es de ninguna persona.", "", titulo)):
        dibujo.text((60, 80 + 60 * renglon), texto, fill=0, font=letra)
    salida = io.BytesIO()
    imagen.save(salida, "PNG")
    adjunto = adjuntar(caso, quien, datos=salida.getvalue(), nombre=f"{titulo} (demostración).png",
                       categoria=categoria, canalizacion=canalizacion)
    _poner(adjunto, subido_en=min(momento, ahora()))


def _poner(fila, **valores) -> None:
    """Write columns now: a workflow move expires its row, which would drop them unwritten."""
    for columna, valor in valores.items():
        setattr(fila, columna, valor)
    db.session.flush()


def _respuestas_en_no() -> dict[str, str]:
    from casos.expedientes import riesgo

    return {i.clave: "no" for i in riesgo.instrumento().indicadores}


# ---- what `flask demo` prints: counts only, never a name -------------------------------------------

def resumen() -> list[str]:
    momento = ahora()
    siglas = dict(db.session.execute(select(Institucion.id, Institucion.siglas)).tuples().all())

    def por(columna, modelo) -> str:
        filas = db.session.execute(select(columna, func.count()).select_from(modelo).group_by(columna)).all()
        return ", ".join(f"{clave} {n}" for clave, n in sorted(filas, key=lambda f: str(f[0]))) or "ninguna"

    def por_institucion(consulta) -> str:
        cuentas = Counter({siglas[i]: n for i, n in db.session.execute(consulta).all()})
        return ", ".join(f"{s} {cuentas.get(s, 0)}" for s in sorted(siglas.values()))

    abiertos = (Caso.estado.in_(ABIERTOS), Caso.datos_eliminados_en.is_(None))
    revalorar = select(Caso.institucion_id, func.count()).where(*abiertos).group_by(Caso.institucion_id)
    return [
        f"Casos por estado: {por(Caso.estado, Caso)}.",
        f"Canalizaciones por estado: {por(Canalizacion.estado, Canalizacion)}.",
        f"Órdenes de protección por estado: {por(OrdenProteccion.estado, OrdenProteccion)}.",
        "Aprobaciones pendientes: " + por_institucion(
            select(SolicitudAprobacion.institucion_id, func.count())
            .where(SolicitudAprobacion.estado == PENDIENTE).group_by(SolicitudAprobacion.institucion_id)) + ".",
        "Atenciones registradas: " + por_institucion(
            select(Atencion.institucion_id, func.count()).group_by(Atencion.institucion_id)) + ".",
        "Documentos adjuntos: " + por_institucion(
            select(Adjunto.institucion_id, func.count()).group_by(Adjunto.institucion_id)) + ".",
        "Revaloraciones atrasadas: " + por_institucion(
            revalorar.where(Caso.proxima_valoracion < momento)) + "; en las próximas 24 horas: "
        + por_institucion(revalorar.where(Caso.proxima_valoracion >= momento,
                                          Caso.proxima_valoracion < momento + timedelta(hours=24))) + ".",
    ]
