"""The workflows as pure domain code on `transitions`: no Flask, no SQLAlchemy.

Every state and every legal move of a case, a referral, a protection order, an approval
request, a risk level awaiting approval and a request over her personal data (ARCO) is
declared here as data, with the roles that may fire it and whether it needs approval or a
reason. `casos/` applies them to database rows.
"""

from flujos.aprobacion import FLUJO_SOLICITUD, FLUJO_VALORACION
from flujos.arco import FLUJO_ARCO
from flujos.base import Actor, Flujo, MovimientoIlegal, Transicion
from flujos.canalizacion import FLUJO_CANALIZACION
from flujos.caso import FLUJO_CASO
from flujos.orden_proteccion import FLUJO_ORDEN

FLUJOS: dict[str, Flujo] = {f.nombre: f for f in (
    FLUJO_CASO, FLUJO_CANALIZACION, FLUJO_ORDEN, FLUJO_SOLICITUD, FLUJO_VALORACION, FLUJO_ARCO)}

__all__ = ["FLUJOS", "Actor", "Flujo", "MovimientoIlegal", "Transicion"]
