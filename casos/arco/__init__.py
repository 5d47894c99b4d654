"""Requests over her personal data (derechos ARCO), as a workflow with legal deadlines in
días hábiles: the machine and the terms are in flujos/arco.py and flujos/dias_habiles.py."""
