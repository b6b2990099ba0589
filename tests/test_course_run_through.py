"""The whole course, done by a learner who gets everything right with the reference solutions:
every quiz question (the final challenge too), every task, every challenge and every incident.
The XP they end with is what the content declares, and it reaches the top level."""

from __future__ import annotations

from tests.conftest import solve_lesson

from deepdive.course.challenges import check_run, judge


def test_the_whole_course_done_right_earns_every_xp_once_and_the_top_level(
    client, course, run_in_sandbox
):
    for lesson in course.lessons:
        solve_lesson(client, lesson)
        for challenge in lesson.meta.challenges:
            # The right answer is what a run of the challenge's app counts, as the server does.
            measured = judge(challenge, 0, run_in_sandbox(check_run(lesson, challenge))).measured
            url = f"/api/lessons/{lesson.slug}/challenges/{challenge.id}"
            answered = client.post(url, json={"answer": measured}).json()
            assert answered["correct"], (lesson.slug, challenge.id, answered)
    for incident in course.incidents:
        fixed = client.post(f"/api/incidents/{incident.slug}/fix", json={"code": incident.fix})
        assert fixed.status_code == 200, fixed.text
        assert fixed.json()["solved"], (incident.slug, fixed.json()["message"])

    summary = client.get("/api/progress").json()
    assert summary["xp"] == course.total_xp == sum(course.award_keys.values())
    assert {item["slug"]: item["state"] for item in summary["lessons"]} == {
        lesson.slug: "done" for lesson in course.lessons
    }
    top = course.levels[-1]
    assert (summary["level"], summary["level_name"]) == (top.number, top.name)

    # Doing it all again earns nothing more.
    solve_lesson(client, course.lessons[0])
    assert client.get("/api/progress").json()["xp"] == course.total_xp

    page = client.get("/completion", params={"name": "Ada Lovelace"}).text
    assert "data-certificate>" in page
    assert "Ada Lovelace" in page
    assert f"{len(course.incidents)} of {len(course.incidents)} production incidents" in page
