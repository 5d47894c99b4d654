"""The lean reference's two templates (referencia_paginas.py compiles each once): the
information of plantillas/expedientes/caso.html and lista.html, without the layout, the forms,
the action links and the risk explanation's prose."""

CASO = """<!doctype html><html lang="es"><meta charset="utf-8"><title>Caso</title><main>
{% if eliminado %}<h1>Caso con datos personales eliminados</h1><p>Identificador: <code>{{ caso.id }}</code></p>
{% else %}
<section><h1>{% if "identidad" in secciones %}{{ v.nombre }}{% else %}Caso canalizado por {{ caso.siglas }}{% endif %}</h1>
<p>Estado: {{ ESTADOS_CASO.get(caso.estado, caso.estado) }} · {{ caso.institucion }} · alta el {{ caso.creado_en | fecha }}</p>
<dl>{% if propia %}<dt>Persona responsable</dt><dd>{{ caso.responsable or "Sin asignar" }}</dd>{% endif %}
{% if "riesgo" in secciones %}<dt>Nivel de riesgo</dt><dd>{{ NIVELES_RIESGO[caso.nivel_riesgo] if caso.nivel_riesgo else "Sin valorar" }}{% if caso.urgente %} · urgente{% endif %}</dd>
<dt>Próxima revaloración</dt><dd>{{ caso.proxima_valoracion | fecha("%d/%m/%Y") or "—" }}</dd>{% endif %}</dl>
{% for institucion in duplicados %}<p>Posible duplicado: existe un caso en {{ institucion }}.</p>{% endfor %}
{% for s in pendientes %}<p>Pendiente de aprobación: {{ s.evento }}. Solicitada por {{ s.solicitante }} el {{ s.creada_en | fecha }}.</p>{% endfor %}
<p>Identificador: <code>{{ caso.id }}</code></p></section>
{% if "contacto" in secciones %}<section><h2>Antes de contactarla</h2>{% if contacto.nunca_casa %}<p>Nunca llamar ni acudir a su domicilio.</p>{% endif %}
<dl><dt>Teléfono seguro</dt><dd>{{ contacto.telefono or "No indicado" }}</dd><dt>Horario seguro</dt><dd>{{ contacto.horario or "No indicado" }}</dd>
<dt>Persona de confianza</dt><dd>{{ contacto.persona_confianza or "No indicada" }}</dd>{% if contacto.indicaciones %}<dt>Indicaciones</dt><dd>{{ contacto.indicaciones }}</dd>{% endif %}</dl></section>{% endif %}
{% if "riesgo" in secciones %}<section><h2>Valoración de riesgo</h2><table>
{% for val in valoraciones %}{% set f = val.fila %}<tr><td>{{ f.creada_en | fecha }}</td><td>{{ NIVELES_RIESGO[f.nivel] }} ({{ f.estado }})</td><td>{{ NIVELES_RIESGO[f.nivel_calculado] }}</td><td>{{ f.puntaje }}</td><td>{{ f.autora }}</td><td>{{ f.proxima_valoracion | fecha }}</td><td>{{ val.motivo or "—" }}</td><td>{{ val.si | join(", ") }}</td></tr>
{% else %}<tr><td>Este caso aún no tiene valoración de riesgo.</td></tr>{% endfor %}</table></section>{% endif %}
<section><h2>Datos de la mujer</h2><dl>
{% if "identidad" in secciones %}<dt>CURP</dt><dd>{{ v.curp or "No registrada" }}</dd><dt>Fecha de nacimiento</dt><dd>{{ v.fecha_nacimiento.strftime("%d/%m/%Y") if v.fecha_nacimiento else "—" }}{% if v.edad_aproximada is not none %} (edad aproximada: {{ v.edad_aproximada }}){% endif %}</dd>{% endif %}
{% if "perfil" in secciones %}<dt>Lengua indígena</dt><dd>{{ v.lengua_indigena or "—" }}</dd><dt>Discapacidad</dt><dd>{{ v.discapacidad or "—" }}</dd><dt>Nacionalidad</dt><dd>{{ v.nacionalidad or "—" }}</dd>{% endif %}
<dt>Municipio</dt><dd>{{ municipio }}</dd>
{% if "contacto" in secciones %}<dt>Teléfono</dt><dd>{{ v.telefono or "—" }}</dd><dt>Domicilio</dt><dd>{{ v.domicilio or "—" }}</dd>{% endif %}</dl></section>
{% if "hechos" in secciones %}<section><h2>Hechos</h2>{% for h in hechos %}<article><h3>{{ h.fecha.strftime("%d/%m/%Y") }} · {{ h.municipio }}{% if h.lugar %} · {{ h.lugar }}{% endif %}</h3>
<p>Tipos: {% for t in h.tipos %}{{ TIPOS_VIOLENCIA.get(t, t) }}{% if not loop.last %}, {% endif %}{% endfor %}. Modalidades: {% for m in h.modalidades %}{{ MODALIDADES.get(m, m) }}{% if not loop.last %}, {% endif %}{% endfor %}.</p>
<div>{{ h.narrativa }}</div></article>{% else %}<p>Sin hechos registrados.</p>{% endfor %}</section>{% endif %}
{% if "nna" in secciones %}<section><h2>Hijas e hijos</h2><ul>{% for n in nna %}<li>{{ n.nombre or "Sin nombre" }}{% if n.edad is not none %}, {{ n.edad }} años{% endif %}{% if n.violencia_directa %} · también vivió violencia{% endif %}</li>{% else %}<li>No se registraron hijas ni hijos.</li>{% endfor %}</ul></section>{% endif %}
{% if "agresor" in secciones %}<section><h2>Persona agresora</h2><ul>{% for a in agresores %}<li>{{ a.nombre or "Nombre no conocido" }} · {{ RELACIONES_AGRESOR.get(a.relacion, a.relacion) }}{% if a.vive_con_ella %} · vive con ella{% endif %}{% if a.acceso_armas %} · tiene acceso a armas{% endif %}</li>{% else %}<li>No registrada.</li>{% endfor %}</ul></section>{% endif %}
{% if ordenes is defined %}<section><h2>Órdenes de protección</h2><ul>{% for o in ordenes %}<li>{{ o.fila.tipo }} · {{ o.fila.autoridad }} · {{ o.fila.estado }} · {{ o.fila.solicitada_en | fecha }}{% if o.notas %}<p>{{ o.notas }}</p>{% endif %}</li>{% else %}<li>Sin órdenes.</li>{% endfor %}</ul></section>{% endif %}
{% if propia %}<section><h2>Canalizaciones</h2><ul>{% for c in canalizaciones %}<li>{{ c.destino }} · {{ c.estado }} · {% for s in c.servicios %}{{ SERVICIOS.get(s, s) }}{% if not loop.last %}, {% endif %}{% endfor %}</li>{% else %}<li>Sin canalizaciones.</li>{% endfor %}</ul></section>{% endif %}
<section><h2>Atenciones</h2><table>{% for a in atenciones %}<tr><td>{{ a.fila.fecha }}</td><td>{{ a.fila.tipo }}{% if a.notas %}<p>{{ a.notas }}</p>{% endif %}</td><td>{{ a.fila.duracion_minutos }}</td><td>{{ a.fila.brindada_por }} ({{ a.fila.siglas }})</td></tr>{% else %}<tr><td>Sin atenciones.</td></tr>{% endfor %}</table></section>
{% if propia %}<section><h2>Documentos</h2><ul>{% for a in adjuntos %}<li>{{ a.nombre }} · {{ a.fila.categoria }} · {{ a.fila.subido_en | fecha }} · {{ a.fila.subido_por }} ({{ a.fila.siglas }})</li>{% endfor %}</ul></section>
<section><h2>Consentimiento</h2>{% if caso.consentimiento_id and caso.autoriza_canalizar and not caso.revocado_en %}<p>Acepta que su caso se canalice a: {{ caso.tipos_institucion | join(", ") }}.</p><p>Datos que se pueden compartir: {% for k in caso.datos_compartibles %}{{ DATOS_COMPARTIBLES.get(k, k) }}{% if not loop.last %}; {% endif %}{% endfor %}.</p>{% if caso.vigente_hasta %}<p>Vigente hasta el {{ caso.vigente_hasta.strftime("%d/%m/%Y") }}.</p>{% endif %}
{% elif caso.revocado_en %}<p>Revocó su consentimiento el {{ caso.revocada_el }}: {{ caso.revocado_por }}, {{ caso.revocado_en | fecha }}. Motivo: {{ motivo_revocacion or "No se registró." }}</p>{% else %}<p>No autorizó que su caso se canalice.</p>{% endif %}</section>
<section><h2>Historial</h2><table>{% for momento, que, quien, detalle, motivo in historia %}<tr><td>{{ momento | fecha }}</td><td>{{ que }}</td><td>{{ quien }}</td><td>{{ detalle or "—" }}</td><td>{{ motivo or "—" }}</td></tr>{% endfor %}</table></section>{% endif %}
{% endif %}</main></html>"""

LISTA = """<!doctype html><html lang="es"><meta charset="utf-8"><title>Casos</title><main>
{% if borradores %}<section><h2>Sus borradores sin terminar</h2><ul>{% for b in borradores %}<li>Guardado el {{ b.actualizado_en | fecha }} · <a href="/casos/nuevo/{{ b.id }}">Continuar</a></li>{% endfor %}</ul></section>{% endif %}
<table><thead><tr><th>Nombre</th><th>Riesgo</th><th>Estado</th><th>Municipio</th><th>Alta</th><th>Próxima valoración</th><th>Responsable</th></tr></thead><tbody>
{% for f in filas %}<tr><td><a href="/casos/{{ f.id }}">{% if f.eliminado %}Datos personales eliminados{% else %}{{ f.nombre or "Sin nombre compartido" }}{% endif %}</a></td>
<td>{% if f.nivel_riesgo %}{{ NIVELES_RIESGO[f.nivel_riesgo] }}{% if f.urgente %} · urgente{% endif %}{% else %}—{% endif %}</td><td>{{ f.estado }}</td><td>{{ f.municipio }}</td><td>{{ f.creado_en | fecha("%d/%m/%Y") }}</td>
<td>{% if f.proxima_valoracion %}{{ f.proxima_valoracion | fecha("%d/%m/%Y") }}{% if f.vencida %} · vencida{% endif %}{% else %}—{% endif %}</td><td>{% if f.responsable %}{{ f.responsable }}{% if f.suyo %} (usted){% endif %}{% else %}—{% endif %}</td></tr>
{% else %}<tr><td>No hay casos.</td></tr>{% endfor %}</tbody></table>
{% if siguiente %}<p><a href="/casos/?despues=">Siguientes</a></p>{% endif %}</main></html>"""
