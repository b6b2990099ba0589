"""Checking a quiz answer. The server decides; the client only says which options it picked."""

from __future__ import annotations

from dataclasses import dataclass

from deepdive.course.models import QuizQuestion


class AnswerError(ValueError):
    """The submitted answer cannot be checked (nothing chosen, unknown option, ...)."""


@dataclass(frozen=True)
class Explained:
    text: str
    why: str
    correct: bool


@dataclass(frozen=True)
class AnswerResult:
    correct: bool
    selected: frozenset[int]
    explanations: tuple[Explained, ...]
    xp_awarded: int = 0
    # What to do next when the answer is not right (one sentence).
    advice: str = ""


def check_answer(question: QuizQuestion, selected: list[int]) -> AnswerResult:
    """Compare the chosen option indexes with the correct ones.

    A wrong answer explains only the options the learner chose (so the right one is not given
    away); a right answer explains every option.
    """
    chosen = frozenset(selected)
    if not chosen:
        raise AnswerError("Pick an answer first.")
    if any(not 0 <= index < len(question.options) for index in chosen):
        raise AnswerError("That answer is not one of the options; reload the page and try again.")
    if question.type == "single" and len(chosen) != 1:
        raise AnswerError("This question has exactly one right answer: choose one option.")
    correct = chosen == question.correct_indexes
    shown = range(len(question.options)) if correct else sorted(chosen)
    explanations = tuple(
        Explained(
            text=question.options[i].text,
            why=question.options[i].why,
            correct=question.options[i].correct,
        )
        for i in shown
    )
    return AnswerResult(
        correct=correct,
        selected=chosen,
        explanations=explanations,
        advice="" if correct else _advice(question, chosen),
    )


def _advice(question: QuizQuestion, chosen: frozenset[int]) -> str:
    right = question.correct_indexes
    if question.type == "single":
        return "Read the explanation, then try again."
    if chosen < right:
        missing = len(right) - len(chosen)
        more = "another option is" if missing == 1 else f"{missing} more options are"
        return f"Every option you chose is right, but {more} right too: find what you left out."
    if chosen & right:
        return "Some of your choices are right and some are not: read why, then try again."
    return "None of your choices is right: read why, then try again."
