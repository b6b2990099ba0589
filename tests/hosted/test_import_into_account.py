"""A local progress export imported into a hosted account: merged, XP never counted twice, and
the awards it brought recorded as imported (the server cannot tell a real export from a
hand-written file) while those already earned in the account stay earned."""

from __future__ import annotations

import json

from sqlalchemy import select

from deepdive.db.models import XpAward


def test_importing_a_local_export_merges_without_double_xp(
    hosted_clients, make_user, log_in, course, hosted_app
):
    lesson = course.lessons[0]
    first, second = lesson.quiz.questions[:2]
    make_user("ada")
    ada = hosted_clients()
    log_in(ada, "ada")
    # Ada already answered the first question in her account.
    ada.post(
        f"/api/lessons/{lesson.slug}/quiz/{first.id}",
        json={"answer": sorted(first.correct_indexes)},
    )
    before = ada.get("/api/progress").json()["xp"]
    assert before == lesson.question_xp(first)
    widget = f"{lesson.slug}/{lesson.meta.interactives[0].id}"
    exported = {
        "format": "deepdive-progress",
        "version": 1,
        "exported_at": "2026-01-02T00:00:00Z",
        "xp": 999_999,
        "lessons": [{"slug": lesson.slug, "started_at": "2026-01-01T00:00:00Z"}],
        "awards": [
            {"key": key, "xp": 999_999, "awarded_at": "2026-01-01T00:00:00Z"}
            for key in (lesson.quiz_key(first), lesson.quiz_key(second))
        ],
        "drafts": [
            {
                "widget": widget,
                "code": "# from my laptop\n",
                "attempts": 3,
                "updated_at": "2026-01-01T00:00:00Z",
            }
        ],
    }
    files = {"file": ("progress.json", json.dumps(exported), "application/json")}
    assert "Import" in ada.get("/account").text
    imported = ada.post("/api/progress/import", files=files)
    assert imported.status_code == 200, imported.text
    expected = lesson.question_xp(first) + lesson.question_xp(second)
    assert ada.get("/api/progress").json()["xp"] == expected
    with hosted_app.state.session_factory() as session:
        sources = dict(session.execute(select(XpAward.award_key, XpAward.source)).all())
    assert sources == {lesson.quiz_key(first): "earned", lesson.quiz_key(second): "imported"}
    again = ada.post("/api/progress/import", files=files, headers={"HX-Request": "true"})
    assert again.status_code == 200
    assert ada.get("/api/progress").json()["xp"] == expected
    assert "# from my laptop" in ada.get(f"/lessons/{lesson.slug}").text
    # A newer draft in the account wins over the file's older one.
    ada.put(f"/api/drafts/{widget}", json={"code": "# newer, in the account\n"})
    ada.post("/api/progress/import", files=files)
    drafts = {d["widget"]: d["code"] for d in ada.get("/api/progress/export").json()["drafts"]}
    assert drafts[widget] == "# newer, in the account\n"
    # Nobody else got anything.
    make_user("grace")
    grace = hosted_clients()
    log_in(grace, "grace")
    assert grace.get("/api/progress").json()["xp"] == 0
