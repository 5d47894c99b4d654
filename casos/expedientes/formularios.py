from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from casos.bd import hoy_local
from casos.catalogos import (
    DATOS_COMPARTIBLES,
    MODALIDADES,
    NIVELES_RIESGO,
    QUIEN_INFORMA_REVOCACION,
    RELACIONES_AGRESOR,
    TIPOS_INSTITUCION,
    TIPOS_VIOLENCIA,
    municipios,
    opciones_municipio,
)
from casos.cripto.indices import normalizar_curp
from casos.expedientes.curp import errores_curp, fecha_de_nacimiento
from casos.expedientes.riesgo import RESPUESTAS, instrumento
from casos.formularios import Formulario, Subformulario, opciones

TELEFONO = Regexp(r"^[+\d][\d\s\-()]{7,19}$", message="Escriba un teléfono de 8 a 20 dígitos.")
SIN_MUNICIPIO = [("", "— Elija el municipio —")]


class CasillasMultiples(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _no_futura(_formulario, campo):
    if campo.data and campo.data > hoy_local():
        raise ValidationError("La fecha no puede ser futura.")


def _municipio_valido(_formulario, campo):
    if campo.data and campo.data not in municipios():
        raise ValidationError("Elija un municipio de Zacatecas.")


class FormularioNna(Subformulario):
    nombre = StringField("Nombre", validators=[Optional(), Length(max=200)])
    edad = IntegerField("Edad", validators=[Optional(), NumberRange(0, 17, "Entre 0 y 17 años.")])
    violencia_directa = BooleanField("También vivió violencia")

    def vacio(self) -> bool:
        return not (self.nombre.data or "").strip() and self.edad.data is None


class FormularioAgresor(Subformulario):
    nombre = StringField("Nombre (si se conoce)", validators=[Optional(), Length(max=200)])
    relacion = SelectField("Relación con ella", choices=opciones(RELACIONES_AGRESOR),
                           default="pareja")
    vive_con_ella = BooleanField("Vive con ella")
    acceso_armas = BooleanField("Tiene acceso a armas")


class FormularioIntake(Formulario):
    borrador_id = HiddenField()

    # La víctima
    nombre = StringField("Nombre completo", validators=[
        DataRequired("Escriba el nombre de la mujer."), Length(max=200)])
    curp = StringField("CURP (opcional)", validators=[Optional(), Length(max=25)],
                       render_kw={"autocomplete": "off", "spellcheck": "false"})
    fecha_nacimiento = DateField("Fecha de nacimiento", validators=[Optional(), _no_futura])
    edad_aproximada = IntegerField("o edad aproximada", validators=[
        Optional(), NumberRange(0, 120, "Escriba una edad entre 0 y 120.")])
    telefono = StringField("Teléfono", validators=[Optional(), TELEFONO],
                           render_kw={"inputmode": "tel", "autocomplete": "off"})
    domicilio = TextAreaField("Domicilio", validators=[Optional(), Length(max=500)],
                              render_kw={"rows": 2})
    municipio = SelectField("Municipio de residencia", validators=[
        DataRequired("Elija el municipio."), _municipio_valido],
        choices=lambda: opciones(SIN_MUNICIPIO + opciones_municipio()))
    lengua_indigena = StringField("Lengua indígena (si habla alguna)", validators=[Optional(), Length(max=100)])
    discapacidad = StringField("Discapacidad (si tiene alguna)", validators=[Optional(), Length(max=200)])
    nacionalidad = StringField("Nacionalidad", validators=[Optional(), Length(max=100)],
                               default="Mexicana")

    # Contacto seguro
    telefono_seguro = StringField("Teléfono seguro", validators=[Optional(), TELEFONO],
                                  render_kw={"inputmode": "tel", "autocomplete": "off"})
    horario_seguro = StringField("Horario seguro para llamarle", validators=[Optional(), Length(max=200)])
    nunca_llamar_casa = BooleanField("Nunca llamar ni acudir a su domicilio")
    persona_confianza = StringField("Persona de confianza y cómo localizarla",
                                    validators=[Optional(), Length(max=300)])
    indicaciones_contacto = TextAreaField("Otras indicaciones para contactarla",
                                          validators=[Optional(), Length(max=1000)],
                                          render_kw={"rows": 2})

    nna = FieldList(FormField(FormularioNna), min_entries=3, max_entries=15)
    agresores = FieldList(FormField(FormularioAgresor), min_entries=1, max_entries=5)

    # Los hechos
    fecha_hechos = DateField("Fecha de los hechos (la más reciente)", validators=[
        InputRequired("Escriba la fecha de los hechos."), _no_futura])
    municipio_hechos = SelectField("Municipio donde ocurrieron", validators=[_municipio_valido],
                                   choices=lambda: opciones(SIN_MUNICIPIO + opciones_municipio()))
    lugar_hechos = StringField("Lugar", validators=[Optional(), Length(max=300)])
    narrativa = TextAreaField("Relato de los hechos", validators=[
        DataRequired("Escriba el relato de los hechos."), Length(max=20000)], render_kw={"rows": 8})
    tipos = CasillasMultiples("Tipos de violencia", choices=opciones(TIPOS_VIOLENCIA), validators=[
        DataRequired("Marque al menos un tipo de violencia.")])
    modalidades = CasillasMultiples("Modalidades", choices=opciones(MODALIDADES), validators=[
        DataRequired("Marque al menos una modalidad.")])

    # Consentimiento
    autoriza_canalizar = BooleanField("Acepta que su caso se canalice a otras instituciones")
    tipos_institucion = CasillasMultiples("Con qué tipo de instituciones",
                                          choices=opciones(TIPOS_INSTITUCION))
    datos_compartibles = CasillasMultiples("Qué datos se pueden compartir",
                                           choices=opciones(DATOS_COMPARTIBLES))
    consentimiento_hasta = DateField("Vigente hasta (opcional)", validators=[Optional()])

    def validate_curp(self, campo):
        if campo.data:
            campo.data = normalizar_curp(campo.data)
            errores = errores_curp(campo.data)
            if errores:
                raise ValidationError(errores[0])

    def validate_fecha_nacimiento(self, campo):
        if campo.data and self.curp.data and not errores_curp(self.curp.data):
            if fecha_de_nacimiento(self.curp.data) != campo.data:
                raise ValidationError("No coincide con la fecha de nacimiento de la CURP.")

    def validate(self, extra_validators=None):
        valido = super().validate(extra_validators)
        # Not a validate_edad_aproximada: Optional() stops the chain on an empty field before
        # inline validators run, so "none of the three" was never reported.
        edad, nacimiento = self.edad_aproximada, self.fecha_nacimiento
        if (edad.data is None and not nacimiento.data and not self.curp.data
                and not edad.errors and not nacimiento.errors):
            edad.errors.append("Escriba la fecha de nacimiento, la CURP o una edad aproximada.")
            return False
        return valido

    def validate_consentimiento_hasta(self, campo):
        if campo.data and campo.data < hoy_local():
            raise ValidationError("La vigencia no puede terminar en el pasado.")

    def validate_tipos_institucion(self, campo):
        if self.autoriza_canalizar.data and not campo.data:
            raise ValidationError("Marque con qué tipo de instituciones acepta compartir.")

    def validate_datos_compartibles(self, campo):
        if self.autoriza_canalizar.data and not campo.data:
            raise ValidationError("Marque qué datos acepta compartir.")


class FormularioBusqueda(Formulario):
    texto = StringField("CURP o nombre completo exacto", validators=[
        DataRequired("Escriba una CURP o un nombre completo."), Length(max=200)],
        render_kw={"autocomplete": "off", "spellcheck": "false"})


def formulario_valoracion(prellenado=()) -> type[Formulario]:
    """The questionnaire is data: one radio group per indicator of the current instrument.
    `prellenado`: indicators the case's record already answers "si" (`riesgo.prellenado`),
    checked by default. A default never answers for her: InputRequired looks at what was
    submitted, so a POST without the question still asks for it."""

    class FormularioValoracion(Formulario):
        version = HiddenField()
        nivel = SelectField("Nivel asignado", choices=opciones(
            [("", "El calculado por el instrumento")] + list(NIVELES_RIESGO.items())), default="")
        motivo = TextAreaField("Motivo (obligatorio si cambia el nivel calculado)", validators=[Optional(), Length(max=2000)],
                               render_kw={"rows": 3})

    for indicador in instrumento().indicadores:
        # No default: a skipped question must be answered, not silently scored as "no sabe".
        setattr(FormularioValoracion, f"r_{indicador.clave}", RadioField(
            indicador.texto, choices=opciones(RESPUESTAS),
            default="si" if indicador.clave in prellenado else None,
            validators=[InputRequired("Elija una respuesta.")]))
    return FormularioValoracion


class FormularioEliminacion(Formulario):
    caso_id = StringField("Identificador del caso", validators=[
        DataRequired("Escriba el identificador del caso."), Length(max=40)])
    motivo = TextAreaField("Fundamento (solicitud ARCO, plazo de conservación…)", validators=[
        DataRequired("Escriba el fundamento de la eliminación."), Length(max=1000)])
    confirmacion = StringField('Escriba "ELIMINAR" para confirmar', validators=[
        DataRequired("Escriba ELIMINAR para confirmar.")])

    def validate_motivo(self, campo):
        # It goes into the insert-only audit trail, where nothing can ever be erased.
        from casos.auditoria.motivos import datos_personales_en

        encontrados = datos_personales_en(campo.data)
        if encontrados:
            raise ValidationError(f"El fundamento parece contener {' y '.join(encontrados)}. "
                                  "Escríbalo sin datos personales.")

    def validate_confirmacion(self, campo):
        if campo.data.strip() != "ELIMINAR":
            raise ValidationError("Escriba ELIMINAR, en mayúsculas, para confirmar.")


class FormularioRevocacion(Formulario):
    """Her withdrawal of consent, as the owning institution records it. `registrado_el`: the
    day the consent was registered, before which she can't have withdrawn it."""

    revocada_el = DateField("Fecha en que ella revocó su consentimiento", default=hoy_local,
                            validators=[InputRequired("Escriba la fecha en que lo revocó."), _no_futura])
    informada_por = SelectField(
        "Quién informó a su institución",
        choices=opciones([("", "— Elija —")] + list(QUIEN_INFORMA_REVOCACION.items())),
        validate_choice=False,  # our own message below, not WTForms' "Not a valid choice"
        validators=[InputRequired("Elija quién informó de la revocación.")])
    motivo = TextAreaField("Motivo", validators=[
        DataRequired("Escriba el motivo de la revocación."), Length(max=2000)], render_kw={"rows": 3})
    confirmacion = BooleanField("Confirmo que ella retiró su consentimiento", validators=[
        DataRequired("Marque la casilla para confirmar la revocación.")])

    def __init__(self, *args, registrado_el=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.registrado_el = registrado_el

    def validate_informada_por(self, campo):
        if campo.data not in QUIEN_INFORMA_REVOCACION:
            raise ValidationError("Elija quién informó de la revocación.")

    def validate_revocada_el(self, campo):
        if campo.data and self.registrado_el and campo.data < self.registrado_el:
            raise ValidationError("No puede ser anterior al registro del consentimiento "
                                  f"({self.registrado_el.strftime('%d/%m/%Y')}).")
