"""third, at the top"""
revision = "r3r3r3r3"
down_revision = "r2r2r2r2"
