"""solicitud_arco: requests over her personal data (derechos ARCO) as a workflow

One row per request: right, state (ck_solicitud_arco_estado, from flujos/arco.py), the local
days of each step and the terms computed then (días hábiles), catalogue keys, and what people
wrote encrypted under the case's key. At most one open request per case and right
(uq_solicitud_arco_abierta, partial on both engines); a refusal names its legal ground; a
representative's request is accredited with what makes her one.

Revision ID: 169f0a864cc7
Revises: 8e3f4a2b9c10
Create Date: 2026-12-05 12:31:16.794571

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '169f0a864cc7'
down_revision = '8e3f4a2b9c10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('solicitud_arco',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('caso_id', sa.Uuid(), nullable=False),
    sa.Column('institucion_id', sa.Uuid(), nullable=False),
    sa.Column('folio', sa.String(length=40), nullable=True),
    sa.Column('derecho', sa.String(length=15), nullable=False),
    sa.Column('estado', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('medio', sa.String(length=20), nullable=False),
    sa.Column('presentada_por', sa.String(length=15), nullable=False),
    sa.Column('identificacion', sa.String(length=20), nullable=False),
    sa.Column('representacion', sa.String(length=20), nullable=True),
    sa.Column('causal', sa.String(length=30), nullable=True),
    sa.Column('registrada_por_id', sa.Uuid(), nullable=False),
    sa.Column('registrada_en', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recibida_el', sa.Date(), nullable=False),
    sa.Column('identidad_acreditada_el', sa.Date(), nullable=True),
    sa.Column('prevenida_el', sa.Date(), nullable=True),
    sa.Column('subsanada_el', sa.Date(), nullable=True),
    sa.Column('ampliada_el', sa.Date(), nullable=True),
    sa.Column('respondida_el', sa.Date(), nullable=True),
    sa.Column('efectuada_el', sa.Date(), nullable=True),
    sa.Column('plazo_respuesta', sa.Date(), nullable=True),
    sa.Column('plazo_prevencion', sa.Date(), nullable=False),
    sa.Column('plazo_no_competencia', sa.Date(), nullable=False),
    sa.Column('plazo_subsanacion', sa.Date(), nullable=True),
    sa.Column('plazo_efectivo', sa.Date(), nullable=True),
    sa.Column('vence_el', sa.Date(), nullable=True),
    sa.Column('descripcion_cifrado', sa.LargeBinary(), nullable=True),
    sa.Column('identidad_notas_cifrado', sa.LargeBinary(), nullable=True),
    sa.Column('respuesta_cifrado', sa.LargeBinary(), nullable=True),
    sa.CheckConstraint("causal IS NULL OR causal IN ('dano_tercero', 'obstruye_procedimientos', 'no_titular', 'no_en_posesion', 'impedimento_legal', 'ya_realizada', 'obligacion_legal', 'interes_de_la_titular')", name=op.f('ck_solicitud_arco_causal')),
    sa.CheckConstraint("derecho IN ('acceso', 'rectificacion', 'cancelacion', 'oposicion')", name=op.f('ck_solicitud_arco_derecho')),
    sa.CheckConstraint("estado IN ('recibida', 'prevenida', 'subsanada', 'no_presentada', 'identidad_acreditada', 'procedente', 'procedente_parcial', 'improcedente', 'no_competente', 'efectuada')", name=op.f('ck_solicitud_arco_estado')),
    sa.CheckConstraint("estado NOT IN ('improcedente', 'procedente_parcial') OR causal IS NOT NULL", name=op.f('ck_solicitud_arco_negada_con_causal')),
    sa.CheckConstraint("identificacion IN ('ine', 'pasaporte', 'cedula_profesional', 'cartilla_militar', 'licencia', 'firma_electronica', 'otra_oficial')", name=op.f('ck_solicitud_arco_identificacion')),
    sa.CheckConstraint("medio IN ('presencial', 'escrito', 'correo_electronico', 'plataforma')", name=op.f('ck_solicitud_arco_medio')),
    sa.CheckConstraint("presentada_por <> 'representante' OR identidad_acreditada_el IS NULL OR representacion IS NOT NULL", name=op.f('ck_solicitud_arco_representacion_acreditada')),
    sa.CheckConstraint("presentada_por IN ('titular', 'representante')", name=op.f('ck_solicitud_arco_presentada_por')),
    sa.CheckConstraint("representacion IS NULL OR representacion IN ('instrumento_publico', 'carta_poder', 'comparecencia', 'patria_potestad', 'resolucion_judicial')", name=op.f('ck_solicitud_arco_representacion')),
    sa.ForeignKeyConstraint(['caso_id'], ['caso.id'], name=op.f('fk_solicitud_arco_caso_id_caso')),
    sa.ForeignKeyConstraint(['institucion_id'], ['institucion.id'], name=op.f('fk_solicitud_arco_institucion_id_institucion')),
    sa.ForeignKeyConstraint(['registrada_por_id'], ['usuaria.id'], name=op.f('fk_solicitud_arco_registrada_por_id_usuaria')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_solicitud_arco'))
    )
    with op.batch_alter_table('solicitud_arco', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_solicitud_arco_caso_id'), ['caso_id'], unique=False)
        batch_op.create_index('ix_solicitud_arco_estado_vence', ['estado', 'vence_el'], unique=False)
        batch_op.create_index('uq_solicitud_arco_abierta', ['caso_id', 'derecho'], unique=True, sqlite_where=sa.text("estado IN ('identidad_acreditada', 'prevenida', 'procedente', 'procedente_parcial', 'recibida', 'subsanada')"), postgresql_where=sa.text("estado IN ('identidad_acreditada', 'prevenida', 'procedente', 'procedente_parcial', 'recibida', 'subsanada')"))



def downgrade():
    with op.batch_alter_table('solicitud_arco', schema=None) as batch_op:
        batch_op.drop_index('uq_solicitud_arco_abierta', sqlite_where=sa.text("estado IN ('identidad_acreditada', 'prevenida', 'procedente', 'procedente_parcial', 'recibida', 'subsanada')"), postgresql_where=sa.text("estado IN ('identidad_acreditada', 'prevenida', 'procedente', 'procedente_parcial', 'recibida', 'subsanada')"))
        batch_op.drop_index('ix_solicitud_arco_estado_vence')
        batch_op.drop_index(batch_op.f('ix_solicitud_arco_caso_id'))

    op.drop_table('solicitud_arco')
