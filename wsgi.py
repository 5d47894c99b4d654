"""Entry point for gunicorn and `flask --app wsgi`."""

from casos import create_app

app = create_app()
