"""The completion page: the learner's record, and the certificate once every lesson is done."""

from __future__ import annotations

from tests.conftest import solve_lesson


def test_a_new_learner_sees_an_empty_record_and_no_certificate_yet(client, course):
    page = client.get("/completion").text
    assert f"<strong>0 of {len(course.lessons)}</strong> lessons done" in page
    assert f"0 of {course.total_xp} XP" in page
    assert "data-certificate-pending" in page
    assert "data-certificate>" not in page


def test_a_solved_lesson_counts_on_the_record(client, course):
    lesson = course.lessons[0]
    solve_lesson(client, lesson)
    page = client.get("/completion").text
    assert f"<strong>1 of {len(course.lessons)}</strong> lessons done" in page
    earned = sum(lesson.award_keys.values())
    assert f"{earned} / {earned}" in page
    assert f"{len(course.lessons) - 1} lessons to go" in page


def test_the_progress_page_and_the_last_lesson_link_to_it(client, course):
    assert 'href="/completion"' in client.get("/progress").text
    assert 'href="/completion"' in client.get(f"/lessons/{course.lessons[-1].slug}").text


def test_the_name_is_escaped_and_kept_short(client):
    response = client.get("/completion", params={"name": "<script>x</script>"})
    assert "<script>x</script>" not in response.text
    assert client.get("/completion", params={"name": "x" * 81}).status_code == 422
