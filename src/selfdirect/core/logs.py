"""Logging filters named in settings.LOGGING."""

from __future__ import annotations

import logging


class NoTracebackFor4xx(logging.Filter):
    """A 4xx response (403 refused, 404 not found) is the service working as designed, so its
    record keeps one line and drops the traceback Django attaches to a PermissionDenied. A 5xx is
    a fault and keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
