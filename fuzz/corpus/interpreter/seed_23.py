"""a_base"""
revision = "aaaa-0001"
down_revision = None
