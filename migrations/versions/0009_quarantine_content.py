"""One quarantined copy per document and content

Revision ID: 0009_quarantine_content
Revises: 0008_feedback_unique
Create Date: 2026-12-06 05:00:00

A device resending the same conflicting copy added a row each time. Each copy now carries its
content's fingerprint (the same SHA-256 of canonical JSON the sync uses for documents); copies
already kept twice are reduced to the first, and a unique constraint keeps it that way.
"""

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0009_quarantine_content"
down_revision = "0008_feedback_unique"
branch_labels = None
depends_on = None

quarantined = sa.table(
    "quarantined_documents",
    sa.column("id", sa.Integer),
    sa.column("document_id", sa.Uuid),
    sa.column("data", sa.JSON),
    sa.column("content_hash", sa.String),
)


def _fingerprint(data) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("quarantined_documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    seen = set()
    rows = connection.execute(
        sa.select(quarantined.c.id, quarantined.c.document_id, quarantined.c.data).order_by(
            quarantined.c.id
        )
    ).all()
    for row_id, document_id, data in rows:
        fingerprint = _fingerprint(data)
        if (document_id, fingerprint) in seen:
            connection.execute(sa.delete(quarantined).where(quarantined.c.id == row_id))
            continue
        seen.add((document_id, fingerprint))
        connection.execute(
            sa.update(quarantined)
            .where(quarantined.c.id == row_id)
            .values(content_hash=fingerprint)
        )
    with op.batch_alter_table("quarantined_documents", schema=None) as batch_op:
        batch_op.alter_column("content_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_quarantined_documents_document_id_content_hash"),
            ["document_id", "content_hash"],
        )


def downgrade() -> None:
    with op.batch_alter_table("quarantined_documents", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_quarantined_documents_document_id_content_hash"), type_="unique"
        )
        batch_op.drop_column("content_hash")
