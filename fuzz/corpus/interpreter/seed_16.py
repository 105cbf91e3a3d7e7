"""c_two"""
revision = "cccc0003"
down_revision = "bbbb0002"
