"""Logging set-up: readable text on a terminal, or one JSON object a line for collectors.

Log lines quote what registers send (ids, titles, error bodies) and URLs we configured: every
message has its URLs redacted and its control characters escaped, so a register cannot forge a
log line with a newline (or rewrite one with a carriage return or a terminal escape), and a
secret in a URL never reaches a collector.
"""

from __future__ import annotations

import logging
import re
import sys
from datetime import UTC, datetime
from types import TracebackType

import msgspec

from microcred_hub.errors import redact_urls

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]

_encoder = msgspec.json.Encoder()
#: C0 and C1 controls, DEL, and the Unicode line and paragraph separators
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str) -> str:
    """One line, URLs redacted, every control character shown as an escape."""
    return _CONTROL.sub(_escape, redact_urls(text))


def clean_block(text: str) -> str:
    """A traceback: its own newlines kept, each line indented so none reads as a new entry."""
    lines = _CONTROL_BUT_NEWLINE.sub(_escape, redact_urls(text)).split("\n")
    return "\n".join(lines[:1] + ["    " + line for line in lines[1:]])


class SafeMessages(logging.Filter):
    """Render each record's message once, cleaned, before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = clean(record.getMessage())
        record.args = None
        return True


class TextFormatter(logging.Formatter):
    def formatException(self, ei: ExcInfo) -> str:
        return clean_block(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return clean_block(super().formatStack(stack_info))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = clean(f"{record.exc_info[0].__name__}: {record.exc_info[1]}")
        return _encoder.encode(entry).decode()


def setup_logging(fmt: str = "text", *, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(SafeMessages())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiohttp and uvicorn access logs would print URLs with query strings (tokens) verbatim
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    # strawberry logs every client validation error at ERROR with its query; our ErrorPolicy
    # logs the unexpected ones instead
    logging.getLogger("strawberry.execution").setLevel(logging.CRITICAL)
