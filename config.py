"""Settings for each environment.

`RUTA_VIOLETA_ENTORNO` chooses the class: `desarrollo` (default), `pruebas` or `produccion`.
Production fails fast: every secret comes from the environment and nothing has a default.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

RAIZ = Path(__file__).resolve().parent
INSTANCIA = RAIZ / "instance"

# Values that must never reach production (documentation examples, old defaults).
CLAVES_DE_EJEMPLO = {"dev", "desarrollo", "cambiame", "changeme", "secret", "secreto"}
LONGITUD_MINIMA_SECRET_KEY = 32


class ConfiguracionInvalida(RuntimeError):
    """The application refuses to start; the message says what to fix."""


def normalizar_url_bd(url: str) -> str:
    """Use the psycopg 3 driver for any PostgreSQL URL."""
    for prefijo in ("postgres://", "postgresql://"):
        if url.startswith(prefijo):
            return "postgresql+psycopg://" + url[len(prefijo):]
    return url


def leer_o_crear_secreto(ruta: Path) -> str:
    """A per-checkout random secret for development, kept in instance/ with mode 0600."""
    ruta.parent.mkdir(parents=True, exist_ok=True)
    if not ruta.exists():
        descriptor = os.open(ruta, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as archivo:
            archivo.write(secrets.token_urlsafe(48))
    return ruta.read_text().strip()


class Base:
    ENTORNO = "base"
    DEBUG = False
    TESTING = False
    DEMO = False

    # hide_parameters: a failing statement must not copy its values into logs or errors.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}

    # Server-side sessions (casos/cuentas/sesiones.py).
    SESSION_COOKIE_NAME = "rv_sesion"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    SESION_INACTIVIDAD = timedelta(minutes=15)
    SESION_MAXIMA = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session, which already expires
    # WTForms ships its own Spanish messages (Meta.locales in casos/formularios.py); no Babel.
    WTF_I18N_ENABLED = False
    # Over HTTPS Flask-WTF also demands a same-host Referer, but our Referrer-Policy is
    # no-referrer: browsers send none, and every POST (login included) would get 400. The
    # token bound to the server-side session, SameSite=Lax and HSTS carry CSRF protection.
    WTF_CSRF_SSL_STRICT = False

    # Flask-Limiter: memory:// only serves one process; production sets Redis.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LIMITE_LOGIN = "10 per minute"
    # Consecutive failed logins (password or second-factor code) that lock an account until
    # an admin unlocks it. Counted in the database, so every process and restart agrees.
    BLOQUEO_TRAS_FALLOS = int(os.environ.get("BLOQUEO_TRAS_FALLOS", "10"))

    MAX_CONTENT_LENGTH = 1024 * 1024
    PROXIES_DE_CONFIANZA = 0  # how many reverse proxies set X-Forwarded-* (see casos/__init__.py)
    HSTS = False
    ZONA_HORARIA = "America/Mexico_City"
    # Audit chains events are spread over (casos/auditoria/cadenas.py): each has its own head,
    # so this many writers append at once on PostgreSQL. Raising it adds chains; lowering it
    # leaves the others as they are (still verified, no longer appended to).
    AUDITORIA_CADENAS = int(os.environ.get("AUDITORIA_CADENAS", "8"))
    # Published counts from 1 to k-1 are shown as "<k" (casos/estadisticas/supresion.py).
    UMBRAL_SUPRESION = int(os.environ.get("UMBRAL_SUPRESION", "10"))
    # Statistics are published as editions of closed months (casos/estadisticas/ediciones.py):
    # a month enters the first edition published this many days after it closed, so that
    # late registrations are in it (a later change waits for a revision).
    ESTADISTICAS_GRACIA_DIAS = int(os.environ.get("ESTADISTICAS_GRACIA_DIAS", "15"))
    # Attachments (casos/adjuntos/): the largest file accepted, in MB.
    ADJUNTOS_MAXIMO_MB = float(os.environ.get("ADJUNTOS_MAXIMO_MB", "10"))
    # Where new files' encrypted chunks go: empty, the database; a path, that directory (for
    # large deployments; back it up with the database). Older files stay where they were put.
    ADJUNTOS_DIRECTORIO = os.environ.get("ADJUNTOS_DIRECTORIO", "")
    # Retention (casos/conservacion/): how long a read of a blocked case, once the admin
    # authorized it, lets the one who asked consult it.
    CONSERVACION_HORAS_LECTURA = int(os.environ.get("CONSERVACION_HORAS_LECTURA", "24"))
    # Non-working days besides the federal law's, for ARCO terms (casos/arco/calendario.py):
    # a CSV of rules (regla,ambito,descripcion); empty, the defaults shipped in casos/datos/.
    DIAS_INHABILES_ARCHIVO = os.environ.get("DIAS_INHABILES_ARCHIVO", "")
    # E-mail to staff (casos/avisos/): off while SMTP_SERVIDOR or URL_PUBLICA is empty.
    # URL_PUBLICA is the address the e-mails' links point to (https://… in production).
    SMTP_SERVIDOR = os.environ.get("SMTP_SERVIDOR", "")
    SMTP_PUERTO = int(os.environ.get("SMTP_PUERTO", "587"))
    SMTP_STARTTLS = os.environ.get("SMTP_STARTTLS", "1") != "0"
    SMTP_USUARIO = os.environ.get("SMTP_USUARIO", "")
    SMTP_CONTRASENA = os.environ.get("SMTP_CONTRASENA", "")
    SMTP_TIEMPO_ESPERA = float(os.environ.get("SMTP_TIEMPO_ESPERA", "10"))
    CORREO_REMITENTE = os.environ.get("CORREO_REMITENTE", "Ruta Violeta <no-responder@localhost>")
    URL_PUBLICA = os.environ.get("URL_PUBLICA", "")
    # `avisos vigilar`: a referral still unanswered this many hours after its deadline is told to
    # the receiving institution's supervisoras, twice as long after it to the sending one's; an
    # order's deadline is told this many minutes before it.
    AVISO_ESCALAR_HORAS = float(os.environ.get("AVISO_ESCALAR_HORAS", "24"))
    AVISO_ORDEN_MINUTOS = float(os.environ.get("AVISO_ORDEN_MINUTOS", "60"))


class Desarrollo(Base):
    ENTORNO = "desarrollo"
    DEMO = True
    SESSION_COOKIE_SECURE = False

    def __init__(self) -> None:
        self.SQLALCHEMY_DATABASE_URI = normalizar_url_bd(
            os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCIA / 'ruta_violeta.sqlite'}")
        )
        self.SECRET_KEY = leer_o_crear_secreto(INSTANCIA / "secret_key")
        self.RUTA_CLAVES = os.environ.get("RUTA_CLAVES", str(INSTANCIA / "claves.json"))


class Pruebas(Base):
    ENTORNO = "pruebas"
    TESTING = True
    SESSION_COOKIE_SECURE = False
    # No e-mail unless a test starts its own SMTP server (tests/test_avisos.py).
    SMTP_SERVIDOR = ""
    URL_PUBLICA = ""

    def __init__(self) -> None:
        self.SQLALCHEMY_DATABASE_URI = "sqlite://"
        self.SECRET_KEY = secrets.token_urlsafe(48)
        self.RUTA_CLAVES = ""


class Produccion(Base):
    ENTORNO = "produccion"
    HSTS = True

    def __init__(self) -> None:
        faltan = [n for n in ("DATABASE_URL", "SECRET_KEY", "RUTA_CLAVES",
                              "RATELIMIT_STORAGE_URI") if not os.environ.get(n)]
        if faltan:
            raise ConfiguracionInvalida(
                "Producción requiere estas variables de entorno: " + ", ".join(faltan)
            )
        clave = os.environ["SECRET_KEY"]
        if len(clave) < LONGITUD_MINIMA_SECRET_KEY or clave.lower() in CLAVES_DE_EJEMPLO:
            raise ConfiguracionInvalida(
                f"SECRET_KEY debe ser aleatoria y de al menos {LONGITUD_MINIMA_SECRET_KEY} "
                "caracteres; genere una con: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        if clave == _secreto_de_desarrollo():
            raise ConfiguracionInvalida("SECRET_KEY es la clave de desarrollo de instance/.")
        if os.environ.get("FLASK_DEBUG", "").lower() in ("1", "true", "yes", "on"):
            raise ConfiguracionInvalida("Producción no arranca con FLASK_DEBUG activado.")
        self.SECRET_KEY = clave
        self.SQLALCHEMY_DATABASE_URI = normalizar_url_bd(os.environ["DATABASE_URL"])
        self.RUTA_CLAVES = os.environ["RUTA_CLAVES"]
        self.RATELIMIT_STORAGE_URI = os.environ["RATELIMIT_STORAGE_URI"]
        if self.SMTP_SERVIDOR and not self.URL_PUBLICA.startswith("https://"):
            raise ConfiguracionInvalida(
                "Con SMTP_SERVIDOR, URL_PUBLICA debe ser la dirección https:// de la app (los enlaces de los correos).")
        try:
            self.PROXIES_DE_CONFIANZA = int(os.environ.get("PROXIES_DE_CONFIANZA", "0"))
        except ValueError:
            raise ConfiguracionInvalida(
                "PROXIES_DE_CONFIANZA debe ser el número de proxies delante de la app (0, 1…).") from None
        # Refuse to start (not only `init`) with a development or world-readable key file.
        from casos.cripto import llavero

        try:
            llavero.cargar(self.RUTA_CLAVES, exigir_produccion=True)
        except llavero.LlaveroInvalido as error:
            raise ConfiguracionInvalida(str(error)) from None


def _secreto_de_desarrollo() -> str | None:
    ruta = INSTANCIA / "secret_key"
    return ruta.read_text().strip() if ruta.exists() else None


ENTORNOS = {"desarrollo": Desarrollo, "pruebas": Pruebas, "produccion": Produccion}


def desde_entorno():
    nombre = os.environ.get("RUTA_VIOLETA_ENTORNO", "desarrollo")
    if nombre not in ENTORNOS:
        raise ConfiguracionInvalida(
            f"RUTA_VIOLETA_ENTORNO={nombre!r} no existe; use uno de: " + ", ".join(ENTORNOS)
        )
    return ENTORNOS[nombre]()
