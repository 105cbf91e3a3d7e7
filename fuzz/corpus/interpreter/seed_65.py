"""next"""
revision = "2a2a2a2a2a2a"
down_revision = "1975ea83b712"
