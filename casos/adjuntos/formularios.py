from flask_wtf.file import FileField
from wtforms import SelectField
from wtforms.validators import InputRequired

from casos.catalogos import CATEGORIAS_ADJUNTO
from casos.formularios import Formulario, opciones


class FormularioAdjunto(Formulario):
    # The file is checked by content in archivos.py (a browser's "accept" is only a hint).
    archivo = FileField("Archivo (PDF, JPEG o PNG)", render_kw={"accept": "application/pdf,image/jpeg,image/png"})
    categoria = SelectField("Qué documento es", choices=opciones({"": "— Elija —", **CATEGORIAS_ADJUNTO}),
                            validators=[InputRequired(message="Elija qué documento es.")])
