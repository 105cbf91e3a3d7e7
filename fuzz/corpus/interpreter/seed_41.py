"""raw SQL: DDL parsed, data recorded"""
from alembic import op

revision = "r06r06r06r06"
down_revision = "r05r05r05r05"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE TABLE notes (id INTEGER NOT NULL PRIMARY KEY, body VARCHAR(100) NOT NULL)")
    op.execute("CREATE INDEX ix_notes_body ON notes (body)")
    op.execute("ALTER TABLE notes ADD COLUMN author VARCHAR(50)")
    op.execute("INSERT INTO notes (id, body) VALUES (1, 'hello')")
    op.execute("UPDATE users SET karma = 0 WHERE karma < 0")


def downgrade():
    pass
