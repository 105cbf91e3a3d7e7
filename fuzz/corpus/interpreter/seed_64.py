"""legacy revision, id from the file name"""
down_revision = None
