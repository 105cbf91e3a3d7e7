revision = "aaaa0001"
down_revision = None
branch_labels = ("shared",)
