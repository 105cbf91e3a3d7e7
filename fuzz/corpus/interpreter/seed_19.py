revision = "bbbb0002"
down_revision = None
branch_labels = ("shared",)
