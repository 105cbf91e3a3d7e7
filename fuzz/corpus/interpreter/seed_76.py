'''First revision, single-quoted docstring.'''
# revision identifiers, used by Alembic.
revision = (
    '0001'
    'abcd'
)
down_revision = None
