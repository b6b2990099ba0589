"""learners, lesson progress, XP awards and drafts

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learners")),
        sa.UniqueConstraint("username", name=op.f("uq_learners_username")),
    )
    op.create_table(
        "drafts",
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("widget_id", sa.String(length=200), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_drafts_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("learner_id", "widget_id", name=op.f("pk_drafts")),
    )
    op.create_table(
        "lesson_progress",
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("lesson_slug", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_lesson_progress_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("learner_id", "lesson_slug", name=op.f("pk_lesson_progress")),
    )
    op.create_table(
        "xp_awards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("award_key", sa.String(length=200), nullable=False),
        sa.Column("xp", sa.Integer(), nullable=False),
        sa.Column("awarded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_xp_awards_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xp_awards")),
        sa.UniqueConstraint("learner_id", "award_key", name=op.f("uq_xp_awards_learner_id")),
    )


def downgrade() -> None:
    op.drop_table("xp_awards")
    op.drop_table("lesson_progress")
    op.drop_table("drafts")
    op.drop_table("learners")
