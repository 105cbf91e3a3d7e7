"""billing base, needs the core users table"""
revision = "bb11bb11bb11"
down_revision = None
branch_labels = ["billing", "payments"]
depends_on = "core"
