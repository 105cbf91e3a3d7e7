# no docstring at all
revision, down_revision = "0003abcd", '0002abcd'
branch_labels = depends_on = None
