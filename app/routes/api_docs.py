"""/api/docs: the open data API's documentation, from swagger-ui vendored in app/static/vendor/.

FastAPI's own page loads swagger-ui from a CDN and starts it with an inline script; the app's CSP
(`script-src 'self'`, `style-src 'self'`) refuses both. This page loads everything from the app
and starts swagger-ui from an external file (static/js/api-docs.js).
"""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
SWAGGER_UI = "/static/vendor/swagger-ui-5.36.0"

PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Chorus open data API</title>
  <link rel="stylesheet" href="{SWAGGER_UI}/swagger-ui.css">
</head>
<body>
  <main id="swagger-ui" data-openapi-url="{{openapi_url}}">
    <h1>Chorus open data API</h1>
    <p>This page needs JavaScript. The API's description is at
      <a href="{{openapi_url}}">{{openapi_url}}</a>.</p>
  </main>
  <script src="{SWAGGER_UI}/swagger-ui-bundle.js"></script>
  <script src="/static/js/api-docs.js"></script>
</body>
</html>
"""


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request):
    openapi_url = request.app.openapi_url or "/openapi.json"
    return HTMLResponse(PAGE.replace("{openapi_url}", openapi_url))
