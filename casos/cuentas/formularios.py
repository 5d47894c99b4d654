from wtforms import EmailField, PasswordField, RadioField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from casos.catalogos import AVISOS_POR_CORREO
from casos.cuentas.contrasenas import LONGITUD_MAXIMA
from casos.formularios import Formulario, opciones

# Password fields keep autocomplete hints so password managers and paste work (NIST 800-63B).
_NUEVA = {"autocomplete": "new-password", "minlength": 15, "maxlength": LONGITUD_MAXIMA}


class FormularioEntrada(Formulario):
    correo = EmailField("Correo electrónico", validators=[DataRequired("Escriba su correo."),
                        Length(max=254)], render_kw={"autocomplete": "username"})
    contrasena = PasswordField("Contraseña", validators=[DataRequired("Escriba su contraseña."),
                               Length(max=LONGITUD_MAXIMA)],
                               render_kw={"autocomplete": "current-password"})


class FormularioNuevaContrasena(Formulario):
    nueva = PasswordField("Nueva contraseña", validators=[DataRequired("Escriba la nueva contraseña.")],
                          render_kw=_NUEVA)
    confirmacion = PasswordField("Repita la nueva contraseña", validators=[
        DataRequired("Repita la nueva contraseña."),
        EqualTo("nueva", "Las dos contraseñas no coinciden.")], render_kw=_NUEVA)


class FormularioCambioContrasena(FormularioNuevaContrasena):
    actual = PasswordField("Contraseña actual", validators=[DataRequired("Escriba su contraseña actual.")],
                           render_kw={"autocomplete": "current-password"})


class FormularioVacio(Formulario):
    """A button-only POST (logout, deactivate): the CSRF token is its whole content."""


class FormularioAvisos(Formulario):
    avisos = RadioField("Cómo recibir los avisos por correo", choices=opciones(AVISOS_POR_CORREO),
                        validators=[InputRequired(message="Elija cómo recibir los avisos.")])
