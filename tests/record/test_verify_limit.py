"""The public /verify page answers too many requests from one address with a 429 in
Chinese (its own module: the small limit is this module's app config)."""

import pytest


@pytest.fixture
def app_config():
    return {"VERIFY_RATE_LIMIT": "3 per minute"}


def test_the_verify_page_is_rate_limited_in_chinese(app, client):
    for _ in range(3):
        assert client.get("/verify/ABCD-EFGH-JKLM-NPQR").status_code == 404
    response = client.get("/verify/ABCD-EFGH-JKLM-NPQR")
    assert response.status_code == 429
    assert "请求次数过多" in response.get_data(as_text=True)
