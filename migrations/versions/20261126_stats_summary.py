"""stats summary: exam_tally, training_tally, study_tally, kept by the services for the figures

Revision ID: 7a1f0c2e9b11
Revises: 7a1f0c2e9b10
Create Date: 2026-11-26 06:00:00

The year overview sums these rows (exam, frozen unit, frozen category) instead of
grouping every enrolment and attempt of the year. The exam services keep them from now
on (stats.exam_tally); BACKFILL sums what is already there, with the definitions of
stats.exam_sql (DESIGN §3): 应考 = enrolled and not exempted, 参考 = of those, with a
finished attempt in the exam or a 补考 not cancelled, 通过 = best such score >= the pass
mark; first sitting = the formal exam alone. training_tally holds each person's counted
attendance per year (not undone, at a session not cancelled) by the unit and category
they signed in with (training.tally); TRAINING_BACKFILL sums the sign-ins there are.
study_tally holds per study list and person the 重点/专业 items chosen and the items on
their plan finished (study.tally); STUDY_BACKFILL counts them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a1f0c2e9b11'
down_revision = '7a1f0c2e9b10'
branch_labels = None
depends_on = None

BACKFILL = """
INSERT INTO exam_tally (exam_id, unit_id, category, exempt, enrolled, sat, passed,
                        sat_first, passed_first, scored, score_sum, lowest)
SELECT e.exam_id, e.unit_id, e.category,
       COUNT(CASE WHEN e.exempt THEN 1 END),
       COUNT(CASE WHEN NOT e.exempt THEN 1 END),
       COUNT(CASE WHEN NOT e.exempt AND s.best IS NOT NULL THEN 1 END),
       COUNT(CASE WHEN NOT e.exempt AND s.best >= x.pass_score THEN 1 END),
       COUNT(CASE WHEN NOT e.exempt AND s.first IS NOT NULL THEN 1 END),
       COUNT(CASE WHEN NOT e.exempt AND s.first >= x.pass_score THEN 1 END),
       COUNT(CASE WHEN NOT e.exempt THEN s.best END),
       SUM(CASE WHEN NOT e.exempt THEN s.best END),
       MIN(CASE WHEN NOT e.exempt THEN s.best END)
FROM enrolment e
JOIN exam x ON x.id = e.exam_id
LEFT JOIN (
    SELECT f.formal_id, a.user_id,
           MAX(CASE WHEN a.exam_id = f.formal_id THEN a.score END) AS first,
           MAX(a.score) AS best
    FROM attempt a
    JOIN (
        SELECT id AS exam_id, id AS formal_id FROM exam
        WHERE kind = 'formal' AND NOT personal
        UNION ALL
        SELECT id, parent_exam_id FROM exam
        WHERE kind = 'makeup' AND status <> 'cancelled' AND NOT personal
          AND parent_exam_id IS NOT NULL
    ) f ON f.exam_id = a.exam_id
    WHERE a.status IN ('submitted', 'expired')
    GROUP BY f.formal_id, a.user_id
) s ON s.formal_id = e.exam_id AND s.user_id = e.user_id
WHERE x.kind = 'formal' AND NOT x.personal
GROUP BY e.exam_id, e.unit_id, e.category
"""

TRAINING_BACKFILL = """
INSERT INTO training_tally (year, user_id, unit_id, category, times, hours)
SELECT s.year, a.user_id, a.unit_id, a.category, COUNT(*), SUM(s.hours)
FROM training_attendance a
JOIN training_session s ON s.id = a.session_id
WHERE s.status = 'scheduled' AND a.revoked_at IS NULL
GROUP BY s.year, a.user_id, a.unit_id, a.category
"""

STUDY_BACKFILL = """
INSERT INTO study_tally (list_id, user_id, key_n, field_n, done_n)
SELECT list_id, user_id, SUM(key_n), SUM(field_n), SUM(done_n)
FROM (
    SELECT s.list_id, s.user_id,
           CASE WHEN i.kind = 'key' THEN 1 ELSE 0 END AS key_n,
           CASE WHEN i.kind = 'field' THEN 1 ELSE 0 END AS field_n,
           0 AS done_n
    FROM study_selection s JOIN study_list_item i ON i.id = s.item_id
    UNION ALL
    SELECT p.list_id, p.user_id, 0, 0, 1
    FROM study_progress p
    JOIN study_list_item i ON i.id = p.item_id
    LEFT JOIN study_selection s ON s.item_id = p.item_id AND s.user_id = p.user_id
    WHERE p.finished_at IS NOT NULL AND (i.kind = 'required' OR s.id IS NOT NULL)
) study_rows
GROUP BY list_id, user_id
"""


def upgrade():
    op.create_table('exam_tally',
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('leader', 'official', 'village_cadre', 'legal_liaison', 'other', name='category', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('exempt', sa.Integer(), nullable=False),
    sa.Column('enrolled', sa.Integer(), nullable=False),
    sa.Column('sat', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Integer(), nullable=False),
    sa.Column('sat_first', sa.Integer(), nullable=False),
    sa.Column('passed_first', sa.Integer(), nullable=False),
    sa.Column('scored', sa.Integer(), nullable=False),
    sa.Column('score_sum', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('lowest', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['exam_id'], ['exam.id'], name=op.f('fk_exam_tally_exam_id_exam')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_exam_tally_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('exam_id', 'unit_id', 'category', name=op.f('pk_exam_tally'))
    )
    op.execute(BACKFILL)
    op.create_table('training_tally',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('leader', 'official', 'village_cadre', 'legal_liaison', 'other', name='category', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('times', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=8, scale=1), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_training_tally_unit_id_org_unit')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_training_tally_user_id_user')),
    sa.PrimaryKeyConstraint('year', 'user_id', 'unit_id', 'category', name=op.f('pk_training_tally'))
    )
    op.execute(TRAINING_BACKFILL)
    op.create_table('study_tally',
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_n', sa.Integer(), nullable=False),
    sa.Column('field_n', sa.Integer(), nullable=False),
    sa.Column('done_n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['list_id'], ['study_list.id'], name=op.f('fk_study_tally_list_id_study_list')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_study_tally_user_id_user')),
    sa.PrimaryKeyConstraint('list_id', 'user_id', name=op.f('pk_study_tally'))
    )
    op.execute(STUDY_BACKFILL)


def downgrade():
    op.drop_table('study_tally')
    op.drop_table('training_tally')
    op.drop_table('exam_tally')
