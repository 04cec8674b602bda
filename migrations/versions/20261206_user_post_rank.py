"""user.post_rank: people list by the rank of their 职务 within a unit, not by pinyin

Revision ID: 8d4f2a6c1e37
Revises: 5e2b8c4d9a61
Create Date: 2026-12-06 18:00:00

Existing people get the rank of the post they hold (yongxi_learn/org/posts.py, a pure
function); from now on the model keeps it in step with the post.
"""
import sqlalchemy as sa
from alembic import op

from yongxi_learn.org.posts import NO_POST, post_rank

# revision identifiers, used by Alembic.
revision = '8d4f2a6c1e37'
down_revision = '5e2b8c4d9a61'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'post_rank',
                sa.SmallInteger(),
                server_default=sa.text(str(NO_POST)),
                nullable=False,
            )
        )
    user = sa.table('user', sa.column('id', sa.Integer), sa.column('post', sa.String),
                    sa.column('post_rank', sa.SmallInteger))
    connection = op.get_bind()
    posts = connection.execute(sa.select(user.c.post).where(user.c.post != '').distinct())
    for (post,) in posts.all():
        connection.execute(
            user.update().where(user.c.post == post).values(post_rank=post_rank(post))
        )


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('post_rank')
