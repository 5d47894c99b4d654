"""State diagrams generated from the definitions (Mermaid), never drawn by hand.

`python -m flujos.diagramas > docs/FLUJOS.md` regenerates the document; a test fails when the
document and the definitions disagree.
"""

from flujos import FLUJOS
from flujos.base import Flujo


def mermaid(flujo: Flujo) -> str:
    lineas = ["stateDiagram-v2", f"    [*] --> {flujo.inicial}"]
    for estado, etiqueta in flujo.estados.items():
        lineas.append(f"    {estado} : {etiqueta}")
    for t in flujo.transiciones:
        marcas = [" ".join(sorted(t.roles))]
        if t.requiere_aprobacion:
            marcas.append("aprobación")
        if t.requiere_motivo:
            marcas.append("motivo")
        for origen in t.origen:
            lineas.append(f"    {origen} --> {t.destino} : {t.evento} ({', '.join(marcas)})")
    for final in sorted(flujo.finales):
        lineas.append(f"    {final} --> [*]")
    return "\n".join(lineas)


def documento() -> str:
    partes = ["# Flujos de Ruta Violeta", "",
              "Generado por `python -m flujos.diagramas` a partir de `flujos/`; no se edita a mano.",
              "Cada flecha dice el evento, los roles que pueden dispararlo y si requiere aprobación",
              "de una supervisora (cuatro ojos) o un motivo escrito.", ""]
    for nombre, flujo in FLUJOS.items():
        partes += [f"## {nombre}", "", "```mermaid", mermaid(flujo), "```", ""]
    return "\n".join(partes)


if __name__ == "__main__":
    print(documento(), end="")
