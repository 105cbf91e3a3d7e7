"""ignored: in a subfolder"""
revision = "n0n0n0n0"
down_revision = "does-not-exist"
