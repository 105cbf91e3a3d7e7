"""top; `True` is not `true` for alembic, so subfolders are not read"""
revision = "n1n1n1n1"
down_revision = None
