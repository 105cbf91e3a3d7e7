"""Second revision: annotated, parenthesised, trailing comma.

More text that is not part of the message.
"""
from __future__ import annotations

from typing import Sequence, Union

PREFIX = "0002"
revision: str = PREFIX + "abcd"
down_revision: Union[str, Sequence[str], None] = ("0001abcd",)
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None
