"""broken"""
revision = "bbbb0002"
down_revision = "aaaa0001"


def upgrade():
    op.add_column("users", sa.Column("x", sa.Integer)
    op.drop_column("users", "y")
