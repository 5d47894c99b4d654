"""Retention schedule: a closed case is blocked when its institution's period after closure
ends (readable only through a read the admin authorized, justified and audited), then
crypto-shredded when its blocking period ends, keeping its anonymous statistical record.
See docs/DESIGN.md, "Retention"."""

# The cases this request reached through an authorized read (set by the case loader): the only
# ones whose key a blocked case gives up (casos/expedientes/modelos.py `Caso.dek`).
LECTURAS = "lecturas_bloqueadas_autorizadas"


def autorizada_en_esta_peticion(caso_id) -> bool:
    from flask import g, has_app_context

    return has_app_context() and caso_id in g.get(LECTURAS, ())


def autorizar_en_esta_peticion(caso_id) -> None:
    from flask import g

    g.setdefault(LECTURAS, set()).add(caso_id)
