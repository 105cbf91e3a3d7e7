"""core next"""
revision = "aa22aa22aa22"
down_revision = "aa11aa11aa11"
branch_labels = None
depends_on = None
