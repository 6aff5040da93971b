"""`calfcare serve`: the web application on uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (CALFCARE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (CALFCARE_PORT).")] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Worker processes. Every process shares the database, so they agree "
            "on sessions and rate limits.",
        ),
    ] = 1,
    migrate: Annotated[bool, typer.Option(help="Upgrade the database schema first.")] = True,
) -> None:
    """Start the web application (http://127.0.0.1:8000 by default)."""
    import uvicorn

    from calfcare.settings import load_settings

    overrides = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    settings = load_settings(**overrides)
    if migrate:
        from calfcare.cli.rehab.upgrade import move_renamed_plans
        from calfcare.storage.migrate import upgrade

        upgrade(settings.database_url)
        move_renamed_plans(settings.database_url)
    typer.echo(
        f"calfcare on http://{settings.host}:{settings.port} "
        f"(database {settings.database_url.split('@')[-1]})"
    )
    uvicorn.run(
        "calfcare.web.asgi:app",
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level="warning",
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )
