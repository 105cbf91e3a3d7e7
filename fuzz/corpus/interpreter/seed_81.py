"""first"""
revision = "y1y1y1y1"
down_revision = None
