"""`/healthz`: the app is up and its database answers."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    if not request.app.state.database.answers():
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503,
                            headers={"Retry-After": "10", "Cache-Control": "no-store"})
    return JSONResponse({"status": "ok", "database": "ok"}, headers={"Cache-Control": "no-store"})
