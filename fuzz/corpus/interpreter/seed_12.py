"""a_base"""
revision = "aaaa0001"
down_revision = None
