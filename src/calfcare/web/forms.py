"""Posted form fields as a FastAPI dependency: every named field as text, "" when missing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from fastapi import Request


async def form_fields(request: Request, names: Sequence[str]) -> dict[str, str]:
    """The named fields of the posted form; a missing or file field reads as ""."""
    form = await request.form()
    out: dict[str, str] = {}
    for name in names:
        value = form.get(name)
        out[name] = value if isinstance(value, str) else ""
    return out


def fields_of(names: Sequence[str]) -> Callable[[Request], Awaitable[dict[str, str]]]:
    """A dependency that reads these fields (use with `Depends`)."""
    async def read(request: Request) -> dict[str, str]:
        return await form_fields(request, names)
    return read
