"""core base"""
revision = "aa11aa11aa11"
down_revision = None
branch_labels = ("core",)
depends_on = None
