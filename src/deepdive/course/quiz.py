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
    return AnswerResult(correct=correct, selected=chosen, explanations=explanations)
