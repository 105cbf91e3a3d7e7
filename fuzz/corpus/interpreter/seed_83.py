"""first, in a subfolder"""
revision = "r1r1r1r1"
down_revision = None
