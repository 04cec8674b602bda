"""attempt, enrolment: indexes a stale plan cannot pick for one person's rows

Revision ID: 7a1f0c2e9b13
Revises: 7a1f0c2e9b12
Create Date: 2026-11-28 09:00:00

On an exam evening PostgreSQL's statistics predate the evening: they count almost no
attempt in progress and no enrolment or attempt of an exam opened that day. Planned
from them, closing one attempt (``id = ? AND status = 'in_progress'``) walked
ix_attempt_status through every attempt in progress, and a submit's group lookups
walked ix_enrolment_exam_id through the exam's whole enrolment: work that grew with
the evening. ix_attempt_overdue holds only open attempts with a deadline, for
finalize_overdue, and no query naming one attempt can use it. The single-column
exam_id indexes duplicate the first column of uq_attempt_exam_user_number,
ix_attempt_exam_user_score, uq_enrolment_exam_user and ix_enrolment_exam_unit; on
deadline alone the index held every attempt ever timed.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '7a1f0c2e9b13'
down_revision = '7a1f0c2e9b12'
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'in_progress' AND deadline IS NOT NULL")


def upgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.create_index(
            'ix_attempt_overdue', ['deadline'], unique=False,
            postgresql_where=OPEN, sqlite_where=OPEN)
        batch_op.drop_index('ix_attempt_status')
        batch_op.drop_index('ix_attempt_deadline')
        batch_op.drop_index('ix_attempt_exam_id')
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_index('ix_enrolment_exam_id')


def downgrade():
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.create_index('ix_enrolment_exam_id', ['exam_id'], unique=False)
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.create_index('ix_attempt_exam_id', ['exam_id'], unique=False)
        batch_op.create_index('ix_attempt_deadline', ['deadline'], unique=False)
        batch_op.create_index('ix_attempt_status', ['status'], unique=False)
        batch_op.drop_index('ix_attempt_overdue')
