"""b_copy"""
revision = "bbbb0002"
down_revision = "aaaa0001"
