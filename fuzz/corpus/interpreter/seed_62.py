"""billing next depends on a core revision"""
revision = "bb22bb22bb22"
down_revision = "bb11bb11bb11"
branch_labels = None
depends_on = ("aa22aa22aa22",)
