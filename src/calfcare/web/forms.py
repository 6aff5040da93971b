"""Reading posted forms, with text no database can store refused at the door.

A browser cannot type NUL, a control character or a lone surrogate, but a crafted request can
send them, and PostgreSQL refuses NUL in any query. Every form reader of the web layer checks
each posted name and value with `services.text` first and answers a 422 naming the field
(the same JSON error as the API) before a handler runs, so no such text reaches a service or
a query. Forms read as FastAPI parameters use `FormText` for the same check.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated

from fastapi import Form, Request
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator
from starlette.datastructures import FormData

from calfcare.services.text import shown, storable, text_problem

#: A posted text field, refused (422 naming it) when it holds text no database can store.
FormText = Annotated[str, Form(), AfterValidator(storable)]


def check_form(form: FormData) -> FormData:
    """`form` itself, or RequestValidationError naming each field whose text is refused."""
    errors = []
    for name, value in form.multi_items():
        for text in (name, value if isinstance(value, str) else ""):
            problem = text_problem(text)
            if problem is not None:
                field = shown(name)
                errors.append(
                    {
                        "type": "value_error",
                        "loc": ("body", field),
                        "msg": f"{field}: {problem}",
                        "input": None,
                    }
                )
                break
    if errors:
        raise RequestValidationError(errors)
    return form


async def posted_form(request: Request) -> FormData:
    """The posted form, checked by `check_form` (use with `Depends`)."""
    return check_form(await request.form())


async def form_fields(request: Request, names: Sequence[str]) -> dict[str, str]:
    """The named fields of the posted form; a missing or file field reads as ""."""
    form = await posted_form(request)
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
