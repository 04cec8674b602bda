"""A 2 KB JSON body nested 1,000 levels deep made the answer save answer 500 (a
RecursionError inside ``request.get_json``): it is a bad request, answered 400."""

from tests.exams.taking import begin


def test_an_answer_nested_a_thousand_levels_deep_answers_400(client, login, cadre, exam):
    login(cadre)
    attempt = begin(client, exam)
    body = "[" * 1000 + "]" * 1000
    response = client.post(
        f"/exams/attempts/{attempt.id}/answer",
        data=body,
        content_type="application/json",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.is_json
