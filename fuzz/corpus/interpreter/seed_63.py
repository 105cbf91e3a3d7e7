"""reports base with its own label, depends on nothing"""
revision = "cc11cc11cc11"
down_revision = None
branch_labels = "reports"
