"""The interactive API documentation (Swagger UI), served with vendored files only.

Swagger UI 5.35.0 is under ``static/vendor`` (``swagger-ui-bundle-5.35.0.js``,
``swagger-ui-5.35.0.css``); the validator badge, which would call swagger.io, is off.
"Try it out" sends the page's CSRF token with every request, so a signed-in user can
make writes from the docs as from any other client.
"""

from __future__ import annotations

import json

from fastapi import Request
from fastapi.responses import HTMLResponse

from yigai.web.security import CSRF_HEADER, csrf_token

SWAGGER_UI_VERSION = "5.35.0"
VENDOR = "/static/vendor"


def _js(value: object) -> str:
    """JSON that is safe inside a <script> element."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def docs_page(request: Request, openapi_url: str, title: str) -> HTMLResponse:
    token = csrf_token(request)
    html = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{title}</title>
<link rel="stylesheet" href="{VENDOR}/swagger-ui-{SWAGGER_UI_VERSION}.css">
<link rel="icon" href="{VENDOR}/swagger-ui-favicon-{SWAGGER_UI_VERSION}.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{VENDOR}/swagger-ui-bundle-{SWAGGER_UI_VERSION}.js"></script>
<script>
const csrf = {_js(token)};
SwaggerUIBundle({{
  url: {_js(openapi_url)},
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  requestInterceptor: (req) => {{ req.headers[{_js(CSRF_HEADER)}] = csrf; return req; }},
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
}});
</script>
</body>
</html>
"""
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})
