"""law.full_text: whether the library holds a law version's whole text

Revision ID: 3c9e5d1a7f20
Revises: 7a1f0c2e9b13
Create Date: 2026-12-06 16:00:00

An article label a law lacks is an error only when the library holds the law's whole
text; for a law with a few sample articles (or none) it is kept as text. Before this
column, every law with text but no sample flag came from the importer, which asks for
the whole text: those numbered 第一条 onwards without a gap count as whole.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '3c9e5d1a7f20'
down_revision = '7a1f0c2e9b13'
branch_labels = None
depends_on = None

WHOLE = sa.text("""
UPDATE law SET full_text = TRUE
WHERE sample = FALSE AND EXISTS (
    SELECT 1 FROM law_article a
    WHERE a.law_id = law.id AND a.suffix = 0
    GROUP BY a.law_id
    HAVING MIN(a.number) = 1 AND COUNT(DISTINCT a.number) = MAX(a.number)
)
""")


def upgrade():
    with op.batch_alter_table('law', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('full_text', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(WHOLE)


def downgrade():
    with op.batch_alter_table('law', schema=None) as batch_op:
        batch_op.drop_column('full_text')
