"""The server's logging: readable lines or one JSON object per line, and an access log
that keeps devices' positions and tokens out.

``--log-format json`` writes each record as ``{"time", "level", "logger", "message"}``
(plus ``"exception"``, the traceback's text, when there is one) on one line, for log
collectors; ``text`` writes ``time level logger: message``.

Device data in the logs is limited to the device's id. The ingest code logs no position
and no token; the access log (:class:`AccessLogger`) is the one place a request's URL is
written, and the OsmAnd protocol puts the position and the token in the query string
(``/api/ingest/osmand?id=…&lat=…&lon=…&token=…``): for ``/api/ingest*`` it keeps the
path and the device id only.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import urllib.parse
from typing import IO

import orjson
from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

__all__ = ["FORMATS", "AccessLogger", "JsonFormatter", "configure_logging", "logged_path"]

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (newlines in messages are escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        """Return ``record`` as a JSON line (without the newline)."""
        out = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exception"] = record.exc_text
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(out, default=str).decode()


def configure_logging(level: str, fmt: str = "text", stream: IO[str] | None = None) -> None:
    """Send every logger's records at ``level`` and above to ``stream`` (stderr) in
    ``fmt`` (``text`` or ``json``), replacing any handler the root logger had.

    Raises:
        ValueError: ``fmt`` or ``level`` is not one of those known.
    """
    if fmt not in FORMATS:
        raise ValueError(f"log format {fmt!r} is not one of {', '.join(FORMATS)}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)


# Query parameters of the ingest endpoints that may be logged: the device's id.
_DEVICE_PARAMS = ("id", "deviceid")


def logged_path(path: str, query: str) -> str:
    """The request's path and query as the access log shows them: for ``/api/ingest*``,
    the device id only (never a position or a token)."""
    if not path.startswith("/api/ingest"):
        return f"{path}?{query}" if query else path
    kept = [
        (k, v) for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True)
        if k in _DEVICE_PARAMS
    ]  # fmt: skip
    return f"{path}?{urllib.parse.urlencode(kept)}" if kept else path


class AccessLogger(AbstractAccessLogger):
    """aiohttp's access log, one line per request, without the ingest API's device data:
    ``remote "METHOD path" status bytes seconds "user agent"``."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        """Log one answered request."""
        self.logger.info(
            '%s "%s %s" %d %d %.3f "%s"',
            request.remote or "-",
            request.method,
            logged_path(request.path, request.query_string),
            response.status,
            response.body_length,
            time,
            request.headers.get("User-Agent", "-"),
        )

    @property
    def enabled(self) -> bool:
        """Whether the access logger would write anything (skips the work if not)."""
        return self.logger.isEnabledFor(logging.INFO)
