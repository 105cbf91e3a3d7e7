"""b_next"""
revision = "bbbb0002"
down_revision = "aaaa0007"
