"""`/healthz`: the app is up and its database answers."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    try:
        with request.app.state.database.engine.connect() as connection:
            connection.execute(text("SELECT 1")).scalar_one()
    except SQLAlchemyError:
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503,
                            headers={"Retry-After": "10", "Cache-Control": "no-store"})
    return JSONResponse({"status": "ok", "database": "ok"}, headers={"Cache-Control": "no-store"})
