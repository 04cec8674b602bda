"""stats indexes: covering indexes for the exam figures at district size

Revision ID: 7a1f0c2e9b08
Revises: 7a1f0c2e9b07
Create Date: 2026-11-26 03:20:00

The year overview groups each exam's enrolment by (exam, unit) and reads each
person's best score per exam; both come from an index alone with these. On
PostgreSQL, extended statistics tell the planner that (exam_id, user_id) of attempt is
nearly unique, so it streams the per-person grouping over the index instead of
spilling a hash aggregate it sized for a tenth of the rows.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7a1f0c2e9b08'
down_revision = '7a1f0c2e9b07'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.create_index(
            'ix_enrolment_exam_unit',
            ['exam_id', 'unit_id', 'user_id', 'exempt', 'category'],
            unique=False,
        )
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.create_index(
            'ix_attempt_exam_user_score', ['exam_id', 'user_id', 'status', 'score'], unique=False
        )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            'CREATE STATISTICS IF NOT EXISTS st_attempt_exam_user (ndistinct) '
            'ON exam_id, user_id FROM attempt'
        )
        op.execute('ANALYZE attempt')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP STATISTICS IF EXISTS st_attempt_exam_user')
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_attempt_exam_user_score')
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_index('ix_enrolment_exam_unit')
