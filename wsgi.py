"""WSGI entry point: ``gunicorn wsgi:app``."""

from yongxi_learn import create_app

app = create_app()
