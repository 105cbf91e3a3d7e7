"""d_three"""
revision = "dddd0004"
down_revision = "cccc0003"
