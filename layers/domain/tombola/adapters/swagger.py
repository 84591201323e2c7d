"""Swagger UI for a finished OpenAPI document, from the copy Powertools ships (no CDN)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from aws_lambda_powertools import event_handler
from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

ASSETS = Path(event_handler.__file__).parent / "openapi" / "swagger_ui"


@cache
def swagger_page(document: str) -> str:
    js = (ASSETS / "swagger-ui-bundle.min.js").read_text(encoding="utf-8")
    css = (ASSETS / "swagger-ui.min.css").read_text(encoding="utf-8")
    # "</" inside the inlined JSON must not end the page's <script> early.
    return generate_swagger_html(document.replace("</", "<\\/"), js, css, "", None)
