"""How a workflow is declared and checked: pure domain code on `transitions`.

A `Flujo` is data: its states and its `Transicion`s, each saying who may fire it (roles and on
which side of the case: the owning institution, the receiving one, or any that may see it),
whether it needs a supervisora's approval and whether it needs a written reason. One
`transitions.Machine` per workflow, built once with `model=None`: models are never added to it
(no per-object cost, no references kept); `comprobar` fires the event on a throw-away stand-in
so guards run exactly as the library defines them, and the caller persists the result with a
compare-and-set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from transitions import Machine, MachineError

# Sides of a case an actor may be on (computed by the caller from the database).
DUENA = "duena"  # the institution that owns the case
RECEPTORA = "receptora"  # the institution a referral was sent to
CUALQUIERA = "cualquiera"  # any institution that may see the case

CASO = frozenset({"capturista", "supervisora"})
SUPERVISION = frozenset({"supervisora"})
SISTEMA = frozenset({"sistema"})  # fired by a scheduled job, never from the browser


class MovimientoIlegal(Exception):
    """A refused move. The message is Spanish and safe to show to the person who tried."""


@dataclass(frozen=True)
class Actor:
    """Who fires a transition, as the domain needs to know her."""

    usuaria_id: object
    rol: str
    lado: frozenset[str]  # sides of this case she is on: {DUENA}, {RECEPTORA}, …


@dataclass(frozen=True)
class Transicion:
    evento: str
    origen: tuple[str, ...]
    destino: str
    etiqueta: str  # the button's text, in Spanish
    roles: frozenset[str] = CASO
    lado: str = DUENA
    requiere_aprobacion: bool = False
    requiere_motivo: bool = False
    # When requesting it moves the entity to a waiting state first (e.g. "por_aprobar").
    al_rechazar: str | None = None  # event fired when the supervisora rejects the request
    guardas: tuple[Callable[[dict], str | None], ...] = ()  # extra rules: message or None


@dataclass
class Flujo:
    nombre: str
    estados: dict[str, str]  # state -> Spanish label
    inicial: str
    transiciones: tuple[Transicion, ...]
    finales: frozenset[str] = frozenset()
    # How the case's history tells each event, in plain Spanish and in the past: every
    # transition's event, plus the steps the app records outside the machine (creating a
    # referral, a contact with an order's holder). The button's `etiqueta` is an imperative.
    en_historia: dict[str, str] = field(default_factory=dict)
    _maquina: Machine | None = field(default=None, init=False, repr=False)

    def __post_init__(self):
        definiciones = [{
            "trigger": t.evento, "source": list(t.origen), "dest": t.destino,
            "conditions": [self._condicion(t)],
        } for t in self.transiciones]
        self._maquina = Machine(
            model=None, states=list(self.estados), transitions=definiciones, initial=self.inicial,
            auto_transitions=False, send_event=True, model_attribute="estado",
            ignore_invalid_triggers=False)

    @staticmethod
    def _condicion(transicion: Transicion):
        def condicion(evento) -> bool:
            return not evento.kwargs["motivos"] and transicion is evento.kwargs["transicion"]

        return condicion

    def transicion(self, evento: str) -> Transicion:
        for t in self.transiciones:
            if t.evento == evento:
                return t
        raise MovimientoIlegal("Esa acción no existe.")

    def suceso(self, evento: str) -> str:
        """What the history says happened (tests/test_flujos.py: every event has one)."""
        return self.en_historia.get(evento) or next(
            (t.etiqueta for t in self.transiciones if t.evento == evento), evento)

    def disponibles(self, estado: str, actor: Actor) -> list[Transicion]:
        """What this person could do now, for the buttons on a page."""
        return [t for t in self.transiciones
                if estado in t.origen and _permitido(t, actor) and t.roles != SISTEMA]

    def comprobar(self, estado: str, evento: str, actor: Actor, *, motivo: str | None = None,
                  contexto: dict | None = None, por_aprobacion: bool = False) -> Transicion:
        """The transition if `actor` may fire `evento` from `estado`; MovimientoIlegal if not.

        `por_aprobacion` is set only by the approval service: a transition that needs approval
        cannot be fired directly, whoever asks."""
        transicion = self.transicion(evento)
        motivos = []
        if estado not in transicion.origen:
            motivos.append(f"No se puede «{transicion.etiqueta.lower()}» cuando el estado es "
                           f"«{self.estados.get(estado, estado)}».")
        elif not _permitido(transicion, actor):
            motivos.append("Su cuenta no puede hacer esta acción en este caso.")
        elif transicion.requiere_aprobacion and not por_aprobacion:
            motivos.append("Esta acción necesita la aprobación de una supervisora.")
        elif transicion.requiere_motivo and not (motivo or "").strip():
            motivos.append("Escriba el motivo.")
        else:
            motivos += [m for guarda in transicion.guardas if (m := guarda(contexto or {}))]
        sustituto = _Sustituto(estado)
        try:
            self._maquina.events[evento].trigger(sustituto, transicion=transicion, motivos=motivos)
        except MachineError:
            pass
        if sustituto.estado != transicion.destino or motivos:
            raise MovimientoIlegal(motivos[0] if motivos else "Movimiento no permitido.")
        return transicion


def _permitido(transicion: Transicion, actor: Actor) -> bool:
    if actor.rol not in transicion.roles:
        return False
    return transicion.lado == CUALQUIERA or transicion.lado in actor.lado


@dataclass
class _Sustituto:
    estado: str
