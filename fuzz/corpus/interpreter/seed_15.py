"""b_one"""
revision = "bbbb0002"
down_revision = "dddd0004"
