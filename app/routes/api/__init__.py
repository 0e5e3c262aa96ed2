"""The JSON API (/api/v1). Every operation documents the errors the app can answer with."""

from typing import Any

from pydantic import BaseModel


class ApiError(BaseModel):
    detail: str
    errors: Any = None


COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ApiError, "description": "Not found, or not visible to you"},
    413: {"model": ApiError, "description": "Request body too large"},
    415: {"model": ApiError, "description": "Only application/json is accepted"},
    422: {"model": ApiError, "description": "Invalid input; `errors` says which field is wrong"},
    429: {"model": ApiError, "description": "Rate limited; see Retry-After"},
    503: {"model": ApiError, "description": "Temporarily unavailable; see Retry-After"},
}
