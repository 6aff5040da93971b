"""ASGI middleware: refuse oversized bodies, add security headers."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: One policy for every page, the API explorer at /docs included: Swagger UI 5 starts from a
#: file (static/js/api-docs.js) and sets its styles through the DOM, which the policy allows,
#: so it needs no inline script or style (tests/browser/test_api_docs.py watches for
#: violations).
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class BodySizeLimit:
    """Answer 413 to a request whose body is larger than its limit, before reading it all.

    The limit is `max_bytes`, except for the paths in `larger` (the diary import takes a whole
    export, so it has a limit of its own, `CALFCARE_MAX_IMPORT_BYTES`).
    """

    def __init__(self, app: ASGIApp, max_bytes: int, larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(str(scope.get("path", "")), self.max_bytes)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if (
            declared is not None
            and declared.isdigit()
            and len(declared) < 19
            and int(declared) > limit
        ):
            await _too_large(send, limit)
            return
        seen = 0
        too_large = False

        async def limited() -> Message:
            nonlocal seen, too_large
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        sent = False

        async def guarded_send(message: Message) -> None:
            nonlocal sent
            if too_large and not sent:
                sent = True
                await _too_large(send, limit)
                return
            if not too_large:
                await send(message)

        await self.app(scope, limited, guarded_send)


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"detail": f"Request body is larger than {limit} bytes."}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


#: Pages and API answers that hold nothing personal and may be cached. Everything else (the
#: interview, results, the diary, rehabilitation plans, exports, handouts, accounts and every
#: error) is `no-store`: a shared computer or a proxy must not keep a copy.
PUBLIC_PATHS = (
    "/",
    "/conditions",
    "/references",
    "/rehab/programmes",
    "/rehab/exercises",
    "/docs",
    "/openapi.json",
    "/healthz",
    "/api/v1/conditions",
    "/api/v1/findings",
    "/api/v1/rehab/exercises",
    "/api/v1/rehab/programmes",
)
HSTS = b"max-age=31536000; includeSubDomains"


def _public(path: str) -> bool:
    return path == "/" or any(
        path == p or path.startswith(p + "/") for p in PUBLIC_PATHS if p != "/"
    )


class SecurityHeaders:
    """Security headers on every response, error responses included.

    It wraps the whole application (outside the error handling that answers a 500, and the
    body limit that answers a 413), so no response leaves without them. Private responses are
    never stored; static files keep their own caching; production adds HSTS.
    """

    def __init__(self, app: ASGIApp, production: bool = False) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        extra: list[tuple[bytes, bytes]] = [
            (b"content-security-policy", CSP.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
        ]
        if self.production:
            extra.append((b"strict-transport-security", HSTS))

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = [
                    h
                    for h in message.get("headers", [])
                    if h[0].lower() not in {k for k, _ in extra}
                ]
                status = int(message.get("status", 200))
                if not path.startswith("/static/") and (status >= 400 or not _public(path)):
                    headers = [h for h in headers if h[0].lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers + extra
            await send(message)

        await self.app(scope, receive, add_headers)
