"""shared"""
revision = "t1t1t1t1"
down_revision = None
