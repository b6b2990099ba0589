"""'What are you building?': a questionnaire whose answers score frameworks, as content.

A lesson that places `{! component recommender !}` keeps the questions in `recommender.yaml`
beside its lesson.md. Each option of a question gives every framework some points, with the
reason in one sentence and the course lesson that explains it. The loader validates the file
(errors with file and line) and checks that every lesson it links to exists in the course.

`Questionnaire.recommend(answers)` adds up the points of the chosen options: the framework with the
most wins (on a tie, the one listed first), explained by the reasons that gave it points, with
what choosing it costs (the answers where another framework scored higher) and the runner-up.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, Field, model_validator

from deepdive.course.interactives import Slug, Strict, require_unique

FILE_NAME = "recommender.yaml"
# One sentence: ends with a full stop and has no sentence break inside.
_SENTENCE = r"^[^\n]*[^.!?\s]\.$"


class Framework(Strict):
    id: Slug
    name: str = Field(min_length=2, max_length=60)
    docs: str = Field(pattern=r"^https://\S+$", description="The framework's own documentation")


class Score(Strict):
    """What one answer means for one framework."""

    points: int = Field(ge=0, le=5)
    reason: str = Field(min_length=10, max_length=240, pattern=_SENTENCE)
    lesson: Slug = Field(description="The slug of the course lesson that explains the reason")


class Option(Strict):
    id: Slug
    label: str = Field(min_length=3, max_length=120)
    points: dict[str, Score] = Field(description="Framework id to its score for this answer")


class Question(Strict):
    id: Slug
    prompt: str = Field(min_length=5, max_length=160)
    options: list[Option] = Field(min_length=2, max_length=6)

    @model_validator(mode="after")
    def _unique_option_ids(self) -> Question:
        require_unique("option ids", [option.id for option in self.options])
        return self

    def option(self, option_id: str) -> Option | None:
        return next((option for option in self.options if option.id == option_id), None)


class Reason(BaseModel):
    """One answer's reason for (or against) one framework."""

    question: str = Field(description="The id of the question")
    answer: str = Field(description="The label of the chosen option")
    framework: str = Field(description="The id of the framework the reason is about")
    points: int
    text: str
    lesson: str = Field(description="The slug of the lesson that explains it")
    url: str = Field(description="The lesson's page")


class Standing(BaseModel):
    id: str
    name: str
    docs: str
    points: int


class TradeOff(BaseModel):
    """An answer where another framework scored higher than the recommended one."""

    given_up: Reason = Field(description="The recommended framework's reason for this answer")
    better: Reason = Field(description="The reason of the framework that scored highest here")


class Recommendation(BaseModel):
    winner: Standing
    reasons: list[Reason] = Field(description="Why the winner: its reasons, strongest first")
    trade_offs: list[TradeOff] = Field(description="What choosing the winner gives up")
    runner_up: Standing
    runner_up_reasons: list[Reason] = Field(description="The runner-up's strongest reasons")
    standings: list[Standing] = Field(description="Every framework, most points first")
    close_call: bool = Field(description="Whether the runner-up is at most one point behind")


class AnswerError(ValueError):
    """Answers that are missing or name no option: (question id, message) for each."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{question}: {message}" for question, message in problems))


class Questionnaire(Strict):
    """The content of `recommender.yaml`."""

    frameworks: list[Framework] = Field(min_length=2, max_length=5)
    questions: list[Question] = Field(min_length=1, max_length=12)

    @model_validator(mode="after")
    def _unique_ids(self) -> Questionnaire:
        require_unique("framework ids", [framework.id for framework in self.frameworks])
        require_unique("question ids", [question.id for question in self.questions])
        return self

    def problems(self, lessons: set[str]) -> list[tuple[tuple[str | int, ...], str]]:
        """(location in the YAML, message) for each option that does not score every framework
        exactly once, and for each link to a lesson that is not in the course."""
        ids = [framework.id for framework in self.frameworks]
        found: list[tuple[tuple[str | int, ...], str]] = []
        for q, question in enumerate(self.questions):
            for o, option in enumerate(question.options):
                where: tuple[str | int, ...] = ("questions", q, "options", o, "points")
                missing = [name for name in ids if name not in option.points]
                if missing:
                    found.append((where, f"no points for {', '.join(missing)}"))
                for name, score in option.points.items():
                    if name not in ids:
                        known = ", ".join(ids)
                        found.append(
                            ((*where, name), f"no framework {name!r} (there are: {known})")
                        )
                    elif score.lesson not in lessons:
                        found.append(
                            (
                                (*where, name, "lesson"),
                                f"links to lesson {score.lesson!r}, which is not in the course "
                                f"(there are: {', '.join(sorted(lessons))})",
                            )
                        )
        return found

    def combinations(self) -> int:
        total = 1
        for question in self.questions:
            total *= len(question.options)
        return total

    def chosen(self, answers: Mapping[str, str]) -> list[tuple[Question, Option]]:
        """The option chosen for each question, or AnswerError naming every problem."""
        problems: list[tuple[str, str]] = []
        chosen: list[tuple[Question, Option]] = []
        for question in self.questions:
            ids = ", ".join(option.id for option in question.options)
            value = answers.get(question.id)
            option = question.option(value) if value else None
            if not value:
                problems.append((question.id, f"no answer to {question.prompt!r}; choose {ids}"))
            elif option is None:
                problems.append((question.id, f"{value!r} is not an answer; choose {ids}"))
            else:
                chosen.append((question, option))
        asked = {question.id for question in self.questions}
        for extra in sorted(set(answers) - asked):
            problems.append((extra, f"there is no question {extra!r}"))
        if problems:
            raise AnswerError(problems)
        return chosen

    def recommend(self, answers: Mapping[str, str]) -> Recommendation:
        """The recommendation for one answer (an option id) to every question."""
        chosen = self.chosen(answers)

        def reason(question: Question, option: Option, framework: str) -> Reason:
            score = option.points[framework]
            return Reason(
                question=question.id,
                answer=option.label,
                framework=framework,
                points=score.points,
                text=score.reason,
                lesson=score.lesson,
                url=f"/lessons/{score.lesson}",
            )

        totals = {
            framework.id: sum(option.points[framework.id].points for _, option in chosen)
            for framework in self.frameworks
        }
        standings = sorted(
            (
                Standing(id=f.id, name=f.name, docs=f.docs, points=totals[f.id])
                for f in self.frameworks
            ),
            key=lambda standing: -standing.points,  # sorted() is stable: ties keep file order
        )
        winner, runner_up = standings[0], standings[1]

        def strongest(framework: str) -> list[Reason]:
            given = [reason(q, o, framework) for q, o in chosen if o.points[framework].points]
            return sorted(given, key=lambda item: -item.points)

        trade_offs = []
        for question, option in chosen:
            best = max(self.frameworks, key=lambda f: option.points[f.id].points).id
            if option.points[best].points > option.points[winner.id].points:
                trade_offs.append(
                    TradeOff(
                        given_up=reason(question, option, winner.id),
                        better=reason(question, option, best),
                    )
                )
        return Recommendation(
            winner=winner,
            reasons=strongest(winner.id),
            trade_offs=trade_offs,
            runner_up=runner_up,
            runner_up_reasons=strongest(runner_up.id)[:2],
            standings=standings,
            close_call=winner.points - runner_up.points <= 1,
        )

    def framework(self, framework_id: str) -> Framework | None:
        return next((f for f in self.frameworks if f.id == framework_id), None)
