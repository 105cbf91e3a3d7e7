"""tenant only"""
revision = "t2t2t2t2"
down_revision = "t1t1t1t1"
