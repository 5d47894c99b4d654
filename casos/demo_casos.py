"""Synthetic cases for the demo and the benchmark: plausible, never real, encrypted exactly
like real ones (they go through the same service as the intake page).

Names are random combinations of common given names and surnames; CURPs are built from them
with the RENAPO rules and a valid check digit; municipalities are drawn in proportion to
their female population; types, modalities and risk levels follow rough published shares.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from types import SimpleNamespace

from sqlalchemy import func, select

from casos.catalogos import municipios
from casos.cuentas.modelos import Usuaria
from casos.expedientes import riesgo, servicios
from casos.expedientes.curp import digito_verificador
from casos.expedientes.modelos import Caso
from casos.extensiones import db

NOMBRES = ("María", "Guadalupe", "Juana", "Margarita", "Verónica", "Leticia", "Rosa", "Patricia",
           "Alejandra", "Fernanda", "Daniela", "Gabriela", "Valeria", "Ximena", "Sofía", "Andrea",
           "Mariana", "Adriana", "Claudia", "Elizabeth", "Araceli", "Yesenia", "Karla", "Lucía")
APELLIDOS = ("Hernández", "García", "Martínez", "López", "González", "Rodríguez", "Pérez",
             "Sánchez", "Ramírez", "Flores", "Torres", "Muñoz", "Castillo", "Ortiz", "Reyes",
             "Delgado", "Ríos", "Esparza", "Dávila", "Berumen", "Félix", "Saucedo", "Acuña")
TIPOS = (("psicologica", 0.85), ("fisica", 0.45), ("economica", 0.25), ("patrimonial", 0.15),
         ("sexual", 0.12), ("vicaria", 0.06), ("obstetrica", 0.02))
MODALIDADES = (("familiar", 0.70), ("comunidad", 0.12), ("laboral", 0.06), ("docente", 0.03),
               ("digital", 0.05), ("institucional", 0.02), ("politica", 0.01), ("feminicida", 0.01))
RELACIONES = ("pareja", "pareja", "pareja", "expareja", "expareja", "familiar", "conocido")
PERFILES_RIESGO = ((0.45, 0), (0.30, 3), (0.18, 5), (0.07, 8))  # share, "si" answers among 20


def _plano(texto: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", texto.upper()) if c.isalpha() and c.isascii())


def _primera_interna(texto: str, vocales: bool) -> str:
    for letra in texto[1:]:
        if (letra in "AEIOU") == vocales:
            return letra
    return "X"


def curp_sintetica(nombre: str, paterno: str, materno: str, nacimiento: date, azar) -> str:
    p, m, n = _plano(paterno), _plano(materno), _plano(nombre)
    raiz = (p[0] + _primera_interna(p, True) + m[0] + n[0] + nacimiento.strftime("%y%m%d") + "MZS"
            + _primera_interna(p, False) + _primera_interna(m, False) + _primera_interna(n, False))
    diferenciador = str(azar.randint(0, 9)) if nacimiento.year < 2000 else azar.choice("ABCDEFGH")
    return raiz + diferenciador + str(digito_verificador(raiz + diferenciador))


def _varios(azar, tabla) -> list[str]:
    elegidos = [clave for clave, parte in tabla if azar.random() < parte]
    return elegidos or [tabla[0][0]]


def datos_sinteticos(azar: random.Random, hoy: date) -> servicios.DatosIntake:
    nombre, paterno, materno = azar.choice(NOMBRES), azar.choice(APELLIDOS), azar.choice(APELLIDOS)
    nacimiento = hoy - timedelta(days=azar.randint(15 * 365, 70 * 365))
    claves = list(municipios())
    pesos = [municipios()[c].mujeres for c in claves]
    municipio = azar.choices(claves, pesos)[0]
    con_curp = azar.random() < 0.7
    return servicios.DatosIntake(
        nombre=f"{nombre} {paterno} {materno}", municipio=municipio,
        curp=curp_sintetica(nombre, paterno, materno, nacimiento, azar) if con_curp else None,
        fecha_nacimiento=nacimiento if con_curp or azar.random() < 0.5 else None,
        edad_aproximada=None if con_curp else (hoy - nacimiento).days // 365,
        telefono=f"492{azar.randint(1000000, 9999999)}",
        domicilio=f"Calle {azar.choice(APELLIDOS)} {azar.randint(1, 999)} (ficticia)",
        nna=[servicios.DatosNna(f"{azar.choice(NOMBRES)} {paterno}", azar.randint(0, 17),
                                azar.random() < 0.3) for _ in range(azar.choice((0, 0, 1, 2, 3)))],
        agresores=[servicios.DatosAgresor(f"Persona ficticia {azar.randint(1, 99999)}",
                                          azar.choice(RELACIONES), azar.random() < 0.5,
                                          azar.random() < 0.1)],
        fecha_hechos=hoy - timedelta(days=azar.randint(0, 30)), municipio_hechos=municipio,
        lugar_hechos="Domicilio" if azar.random() < 0.7 else "Vía pública",
        narrativa="Relato sintético de demostración: no corresponde a ninguna persona real.",
        tipos=_varios(azar, TIPOS), modalidades=_varios(azar, MODALIDADES)[:2],
        autoriza_canalizar=azar.random() < 0.8, tipos_institucion=["cjm", "fiscalia", "salud"],
        datos_compartibles=["identidad", "hechos", "riesgo"],
        contacto_seguro={"telefono": f"492{azar.randint(1000000, 9999999)}", "horario": "De 9 a 13 h",
                         "nunca_casa": azar.random() < 0.4},
    )


def casos_existentes() -> int:
    return db.session.scalar(select(func.count()).select_from(Caso))


def sembrar_casos(cantidad: int, *, semilla: int = 2026, lote: int = 500,
                  al_avanzar: Callable[[int], None] = lambda n: None) -> int:
    """`cantidad` cases spread over the demo institutions that attend cases, registered over
    the last two years, most with a risk assessment. Commits every `lote` cases."""
    azar = random.Random(semilla)
    # Plain values, not ORM rows: each batch commits and clears the session.
    capturistas = [SimpleNamespace(id=u.id, institucion_id=u.institucion_id) for u in
                   db.session.scalars(select(Usuaria).where(Usuaria.rol == "capturista",
                                                            Usuaria.correo.like("%.demo")))]
    if not capturistas:
        raise RuntimeError("Primero ejecute «demo» sin --casos para crear las cuentas.")
    hoy = date.today()
    indicadores = [i.clave for i in riesgo.instrumento().indicadores]
    for numero in range(cantidad):
        autora = azar.choice(capturistas)
        dia = hoy - timedelta(days=azar.randint(0, 730))
        momento = min(datetime.now(timezone.utc), datetime.combine(
            dia, time(azar.randint(14, 23), azar.randint(0, 59)), timezone.utc))
        datos = datos_sinteticos(azar, dia)
        caso = servicios.registrar_caso(autora, datos)
        caso.creado_en = momento
        if azar.random() < 0.85:
            cuantas = _perfil(azar.random())
            positivas = set(azar.sample(indicadores, cuantas))
            valoracion = servicios.registrar_valoracion(
                caso, autora, {i: "si" if i in positivas else "no" for i in indicadores}, None, None)
            valoracion.creada_en = momento
            valoracion.proxima_valoracion = riesgo.proxima_valoracion(valoracion.nivel, momento)
            caso.proxima_valoracion = valoracion.proxima_valoracion
        if (numero + 1) % lote == 0:
            db.session.commit()
            db.session.expunge_all()
            al_avanzar(lote)
    db.session.commit()
    al_avanzar(cantidad % lote)
    return cantidad


def _perfil(sorteo: float) -> int:
    """How many "yes" answers, drawn from PERFILES_RIESGO's shares."""
    acumulado = 0.0
    for parte, si in PERFILES_RIESGO:
        acumulado += parte
        if sorteo < acumulado:
            return si
    return PERFILES_RIESGO[-1][1]
