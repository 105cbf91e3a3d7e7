"""left branch

Revision ID: b0000002
Revises: a0000001
"""
revision = 'b0000002'
down_revision = 'a0000001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
