"""Who may see which cohort: an admin sees every cohort, an instructor the cohorts they follow,
a learner none (not even their own: the view is about other people's work)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from deepdive.db.models import Cohort, CohortMember, Learner


def is_admin(account: Learner) -> bool:
    return account.role == "admin"


def followed_cohorts(session: Session, account: Learner) -> list[Cohort]:
    """The cohorts the account may open in the instructor view, by name."""
    query = select(Cohort).order_by(Cohort.name)
    if not is_admin(account):
        query = query.join(CohortMember, CohortMember.cohort_id == Cohort.id).where(
            CohortMember.learner_id == account.id, CohortMember.role == "instructor"
        )
    return list(session.scalars(query))


def may_view_cohorts(session: Session, account: Learner) -> bool:
    """Whether the account has an instructor view at all (an admin, or someone who follows a
    cohort as its instructor)."""
    if is_admin(account):
        return True
    follows = session.scalar(
        select(CohortMember.cohort_id)
        .where(CohortMember.learner_id == account.id, CohortMember.role == "instructor")
        .limit(1)
    )
    return follows is not None


def followed_cohort(session: Session, account: Learner, cohort_id: int) -> Cohort | None:
    """The cohort if the account may open it, else None (whether or not it exists)."""
    cohort = session.get(Cohort, cohort_id)
    if cohort is None or is_admin(account):
        return cohort
    membership = session.get(CohortMember, (cohort_id, account.id))
    return cohort if membership is not None and membership.role == "instructor" else None
