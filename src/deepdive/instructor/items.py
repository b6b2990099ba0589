"""Every item of the course a learner can solve, with what it is worth.

An item is named by its XP award key (`quiz:…`, `task:…`, `challenge:…`, `incident:…`), the same
key its attempts are counted under, so a report joins awards and attempts on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from deepdive.course.models import Course


@dataclass(frozen=True)
class Item:
    key: str
    kind: str  # "quiz" | "task" | "challenge" | "incident"
    title: str
    lesson_slug: str | None  # incidents belong to no lesson
    xp: int
    # What a score is counted in: XP for most items, test points for an incident.
    max_score: int

    @property
    def scored_in_points(self) -> bool:
        return self.kind == "incident"


def course_items(course: Course) -> tuple[Item, ...]:
    """The course's items in course order: each lesson's questions, challenges and tasks, then
    the incidents."""
    items: list[Item] = []
    for lesson in course.lessons:
        for question in lesson.quiz.questions:
            xp = lesson.question_xp(question)
            items.append(
                Item(lesson.quiz_key(question), "quiz", question.prompt, lesson.slug, xp, xp)
            )
        for challenge in lesson.meta.challenges:
            key = lesson.challenge_key(challenge)
            items.append(
                Item(key, "challenge", challenge.title, lesson.slug, challenge.xp, challenge.xp)
            )
        for interactive in lesson.meta.interactives:
            for task in interactive.tasks:
                key = lesson.task_key(interactive, task)
                items.append(Item(key, "task", task.title, lesson.slug, task.xp, task.xp))
    for incident in course.incidents:
        items.append(
            Item(
                incident.award_key,
                "incident",
                incident.title,
                None,
                incident.meta.xp,
                incident.total_points,
            )
        )
    return tuple(items)
