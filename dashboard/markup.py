"""Text that Markdown must show as it is: names, versions, anything people typed or a link carried."""

from __future__ import annotations

import re

_MARKUP = re.compile(r"([\\`*_\[\]()<>~$|:.#!])")
"""What turns text into Markdown (links, emphasis, HTML, maths, Streamlit's :icon: and :color[]:
directives, web-address autolinks): each is shown as itself once escaped."""


def plain(text: str) -> str:
    """`text` (a name, a version, anything people typed) escaped for st.markdown, on one line."""
    return _MARKUP.sub(r"\\\1", " ".join(str(text).splitlines()))
