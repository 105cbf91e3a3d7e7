"""plugin branch"""
revision = "p1p1p1p1"
down_revision = None
branch_labels = ("plugin",)
depends_on = "m1m1m1m1"
