"""where an XP award came from: earned on this server, or imported from a progress file

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("xp_awards") as batch:
        batch.add_column(
            sa.Column("source", sa.String(16), nullable=False, server_default="earned")
        )


def downgrade() -> None:
    with op.batch_alter_table("xp_awards") as batch:
        batch.drop_column("source")
