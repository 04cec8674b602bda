"""Login attempts are limited per client address, which a forged header cannot change."""

import pytest


@pytest.fixture
def app_config():
    return {"LOGIN_RATE_LIMIT": "3 per minute"}


def attempt(client, headers=None):
    return client.post(
        "/login", data={"phone": "13999999999", "password": "wrong-pass1"}, headers=headers
    )


def test_too_many_login_attempts_get_a_chinese_429_page(client):
    for _ in range(3):
        assert attempt(client).status_code == 200
    response = attempt(client)
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "操作过于频繁" in page and "请稍后再试" in page


def test_forged_forwarded_for_header_does_not_reset_the_limit(client):
    for i in range(3):
        assert attempt(client, {"X-Forwarded-For": f"10.0.0.{i}"}).status_code == 200
    assert attempt(client, {"X-Forwarded-For": "10.0.0.99"}).status_code == 429


def test_limit_applies_per_address(client):
    for _ in range(3):
        attempt(client)
    other = client.post(
        "/login",
        data={"phone": "13999999999", "password": "wrong-pass1"},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert other.status_code == 200


def test_login_page_itself_is_not_limited(client):
    for _ in range(3):
        attempt(client)
    assert client.get("/login").status_code == 200
