"""The base form: CSRF from Flask-WTF, WTForms' built-in Chinese messages."""

from flask_wtf import FlaskForm


class Form(FlaskForm):
    class Meta:
        locales = ("zh",)


class QueryForm(Form):
    """A GET filter form: no CSRF token, values from the query string."""

    class Meta:
        csrf = False
        locales = ("zh",)
