"""JSON error responses: every refusal the HTTP side sends has the GraphQL errors shape."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec
from starlette.responses import Response

JSON_MEDIA = "application/json"

#: The scope key under which the response cache leaves a POST body's decoded JSON (the very
#: body it replays to the endpoint), so the GraphQL endpoint does not decode it again.
DECODED_BODY = "microcred_hub.decoded_body"


def error_body(message: str, *, code: str | None = None) -> bytes:
    """``{"errors": [{"message": ..., "extensions": {"code": ...}}]}``, as clients parse it."""
    error: dict[str, object] = {"message": message}
    if code is not None:
        error["extensions"] = {"code": code}
    return msgspec.json.encode({"errors": [error]})


def json_error(
    status: int,
    message: str,
    *,
    code: str | None = None,
    media_type: str = JSON_MEDIA,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The error as a response (an ASGI app too, for middleware that answers by itself)."""
    return Response(
        error_body(message, code=code),
        status_code=status,
        media_type=f"{media_type}; charset=utf-8",
        headers=headers,
    )
