"""The ASGI entry point for servers: `uvicorn calfcare.web.asgi:app`."""

from calfcare.web.app import create_app

app = create_app()
