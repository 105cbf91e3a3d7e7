"""second, two levels down"""
revision = "r2r2r2r2"
down_revision = "r1r1r1r1"
