"""second"""
revision = "y2y2y2y2"
down_revision = "y1y1y1y1"
