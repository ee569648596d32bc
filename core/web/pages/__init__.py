"""Server-rendered pages: shared machinery (rendering, flash messages, forms, auth, error pages).
Each domain area keeps its own page handlers next to its service (``core/<area>/pages.py``)."""
