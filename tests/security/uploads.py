"""Helpers for the upload tests: the law import form's fields, and a multipart POST
built in memory."""

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

LAW_FORM = {"title": "", "short_name": "", "kind": "law", "issuer": "", "text": ""}


def post_multipart(client, url, data):
    """A multipart POST built in memory: the test client would spool a large body to a
    temporary file of its own, which would blur the check on the app's temp files."""
    fields = {
        k: FileStorage(v[0], filename=v[1]) if isinstance(v, tuple) else str(v)
        for k, v in data.items()
    }
    boundary, body = encode_multipart(fields)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")
