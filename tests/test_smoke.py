def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"


def test_admin_logs_in_and_sees_people(client, login, admin):
    page = login(admin)
    assert "我的学习" in page.get_data(as_text=True)
    people = client.get("/admin/people")
    assert people.status_code == 200
    assert "管理员甲" in people.get_data(as_text=True)
