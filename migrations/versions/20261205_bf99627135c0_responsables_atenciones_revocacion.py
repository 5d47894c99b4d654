"""responsables, atenciones y revocación: who is in charge of a case, the services given to
her, and what a withdrawal of her consent records

- caso.responsable_id: the caseworker in charge, filled with who registered each case;
  asignacion keeps every later assignment (append-only).
- atencion: a service given to her, by the owning institution or under a referral.
- consentimiento: the day she withdrew it, who told the institution, who recorded it, and
  the reason (encrypted); a CHECK keeps a revocation complete or absent. Existing
  revocations predate these columns: they get the day they were recorded and are marked
  as told by herself in person (what the old one-click form assumed), with no reason.

On SQLite a nullable column with a foreign key is added with ALTER TABLE (no rebuild of
`caso`, whose rebuild would cascade-delete its children); the CHECK on consentimiento needs
a rebuild, which is safe: no table references consentimiento and it has no triggers.

Revision ID: bf99627135c0
Revises: e2a6db396f99
Create Date: 2026-12-05 02:00:20.849112

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'bf99627135c0'
down_revision = 'e2a6db396f99'
branch_labels = None
depends_on = None

# A snapshot of the catalogues on this day: a migration never imports the code.
TIPOS_ATENCION = ('psicologica', 'juridica', 'medica', 'trabajo_social', 'acompanamiento',
                  'refugio', 'proteccion_nna', 'empoderamiento', 'reeducacion')
QUIEN_INFORMA = ('ella_persona', 'ella_telefono', 'representante', 'otra_institucion')
REVOCACION_COMPLETA = ("(revocado_en IS NULL) = (revocada_el IS NULL) AND "
                       "(revocado_en IS NULL) = (revocacion_informada_por IS NULL)")


def _lista(valores):
    return ', '.join(f"'{v}'" for v in valores)


def upgrade():
    op.create_table('asignacion',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('caso_id', sa.Uuid(), nullable=False),
    sa.Column('responsable_id', sa.Uuid(), nullable=False),
    sa.Column('anterior_id', sa.Uuid(), nullable=True),
    sa.Column('asignada_por_id', sa.Uuid(), nullable=False),
    sa.Column('momento', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['anterior_id'], ['usuaria.id'], name=op.f('fk_asignacion_anterior_id_usuaria')),
    sa.ForeignKeyConstraint(['asignada_por_id'], ['usuaria.id'], name=op.f('fk_asignacion_asignada_por_id_usuaria')),
    sa.ForeignKeyConstraint(['caso_id'], ['caso.id'], name=op.f('fk_asignacion_caso_id_caso'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['responsable_id'], ['usuaria.id'], name=op.f('fk_asignacion_responsable_id_usuaria')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asignacion'))
    )
    with op.batch_alter_table('asignacion', schema=None) as batch_op:
        batch_op.create_index('ix_asignacion_caso_momento', ['caso_id', 'momento'], unique=False)

    op.create_table('atencion',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('caso_id', sa.Uuid(), nullable=False),
    sa.Column('canalizacion_id', sa.Uuid(), nullable=True),
    sa.Column('institucion_id', sa.Uuid(), nullable=False),
    sa.Column('tipo', sa.String(length=30), nullable=False),
    sa.Column('fecha', sa.Date(), nullable=False),
    sa.Column('duracion_minutos', sa.Integer(), nullable=True),
    sa.Column('brindada_por_id', sa.Uuid(), nullable=False),
    sa.Column('registrada_por_id', sa.Uuid(), nullable=False),
    sa.Column('registrada_en', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notas_cifrado', sa.LargeBinary(), nullable=True),
    sa.CheckConstraint(f"tipo IN ({_lista(TIPOS_ATENCION)})", name=op.f('ck_atencion_tipo')),
    sa.CheckConstraint('duracion_minutos BETWEEN 1 AND 1440', name=op.f('ck_atencion_duracion_minutos')),
    sa.ForeignKeyConstraint(['brindada_por_id'], ['usuaria.id'], name=op.f('fk_atencion_brindada_por_id_usuaria')),
    sa.ForeignKeyConstraint(['canalizacion_id'], ['canalizacion.id'], name=op.f('fk_atencion_canalizacion_id_canalizacion')),
    sa.ForeignKeyConstraint(['caso_id'], ['caso.id'], name=op.f('fk_atencion_caso_id_caso'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['institucion_id'], ['institucion.id'], name=op.f('fk_atencion_institucion_id_institucion')),
    sa.ForeignKeyConstraint(['registrada_por_id'], ['usuaria.id'], name=op.f('fk_atencion_registrada_por_id_usuaria')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_atencion'))
    )
    with op.batch_alter_table('atencion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_atencion_canalizacion_id'), ['canalizacion_id'], unique=False)
        batch_op.create_index('ix_atencion_caso_fecha', ['caso_id', 'fecha'], unique=False)
        batch_op.create_index('ix_atencion_institucion_fecha', ['institucion_id', 'fecha'], unique=False)

    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:  # ALTER TABLE … ADD COLUMN … REFERENCES: no rebuild (alembic would add it apart)
        op.execute("ALTER TABLE caso ADD COLUMN responsable_id CHAR(32) "
                   "CONSTRAINT fk_caso_responsable_id_usuaria REFERENCES usuaria (id)")
        op.execute("ALTER TABLE consentimiento ADD COLUMN revocado_por_id CHAR(32) "
                   "CONSTRAINT fk_consentimiento_revocado_por_id_usuaria REFERENCES usuaria (id)")
    else:
        op.add_column('caso', sa.Column('responsable_id', sa.Uuid(), nullable=True))
        op.add_column('consentimiento', sa.Column('revocado_por_id', sa.Uuid(), nullable=True))
    op.create_index('ix_caso_responsable_creado', 'caso', ['responsable_id', 'creado_en', 'id'])
    op.execute("UPDATE caso SET responsable_id = creado_por_id")

    op.add_column('consentimiento', sa.Column('revocada_el', sa.Date(), nullable=True))
    op.add_column('consentimiento', sa.Column('revocacion_informada_por', sa.String(length=20), nullable=True))
    op.add_column('consentimiento', sa.Column('motivo_revocacion_cifrado', sa.LargeBinary(), nullable=True))
    dia = "date(revocado_en)" if sqlite else "CAST(revocado_en AS DATE)"
    op.execute(f"UPDATE consentimiento SET revocada_el = {dia}, "
               "revocacion_informada_por = 'ella_persona' WHERE revocado_en IS NOT NULL")
    if sqlite:
        with op.batch_alter_table('consentimiento', recreate='always') as batch_op:
            batch_op.create_check_constraint(op.f('ck_consentimiento_revocacion_informada_por'),
                                             f"revocacion_informada_por IN ({_lista(QUIEN_INFORMA)})")
            batch_op.create_check_constraint(op.f('ck_consentimiento_revocacion_completa'),
                                             REVOCACION_COMPLETA)
    else:
        op.create_foreign_key(op.f('fk_caso_responsable_id_usuaria'), 'caso', 'usuaria',
                              ['responsable_id'], ['id'])
        op.create_foreign_key(op.f('fk_consentimiento_revocado_por_id_usuaria'), 'consentimiento',
                              'usuaria', ['revocado_por_id'], ['id'])
        op.create_check_constraint(op.f('ck_consentimiento_revocacion_informada_por'), 'consentimiento',
                                   f"revocacion_informada_por IN ({_lista(QUIEN_INFORMA)})")
        op.create_check_constraint(op.f('ck_consentimiento_revocacion_completa'), 'consentimiento',
                                   REVOCACION_COMPLETA)


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('consentimiento', recreate='always') as batch_op:
            batch_op.drop_constraint(op.f('ck_consentimiento_revocacion_completa'), type_='check')
            batch_op.drop_constraint(op.f('ck_consentimiento_revocacion_informada_por'), type_='check')
            batch_op.drop_column('motivo_revocacion_cifrado')
            batch_op.drop_column('revocado_por_id')
            batch_op.drop_column('revocacion_informada_por')
            batch_op.drop_column('revocada_el')
        op.drop_index('ix_caso_responsable_creado', 'caso')
        op.drop_column('caso', 'responsable_id')  # SQLite 3.35+: a plain column drop
    else:
        op.drop_constraint(op.f('ck_consentimiento_revocacion_completa'), 'consentimiento', type_='check')
        op.drop_constraint(op.f('ck_consentimiento_revocacion_informada_por'), 'consentimiento', type_='check')
        op.drop_constraint(op.f('fk_consentimiento_revocado_por_id_usuaria'), 'consentimiento', type_='foreignkey')
        for columna in ('motivo_revocacion_cifrado', 'revocado_por_id', 'revocacion_informada_por', 'revocada_el'):
            op.drop_column('consentimiento', columna)
        op.drop_constraint(op.f('fk_caso_responsable_id_usuaria'), 'caso', type_='foreignkey')
        op.drop_index('ix_caso_responsable_creado', 'caso')
        op.drop_column('caso', 'responsable_id')
    op.drop_index('ix_atencion_institucion_fecha', 'atencion')
    op.drop_index('ix_atencion_caso_fecha', 'atencion')
    op.drop_index(op.f('ix_atencion_canalizacion_id'), 'atencion')
    op.drop_table('atencion')
    op.drop_index('ix_asignacion_caso_momento', 'asignacion')
    op.drop_table('asignacion')
