"""f-strings and lists"""
BASE = "0003abcd"
number = 4
revision = f"000{number}abcd"
down_revision = [BASE]
branch_labels = None
depends_on = None
revision = "0004abcd"  # reassigned: the last binding wins, as in Python
