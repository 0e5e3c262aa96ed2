"""Expected outcomes carry their own status; handlers render them as pages or JSON."""


class AppError(Exception):
    status_code = 400
    title = "There is a problem"

    def __init__(self, message: str, *, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code


class NotFound(AppError):
    status_code = 404
    title = "Page not found"

    def __init__(
        self,
        message: str = "We could not find that page. It may have moved, or you may not have access to it.",
    ):
        super().__init__(message)


class Forbidden(AppError):
    status_code = 403
    title = "You do not have access"


class NotSignedIn(AppError):
    status_code = 401
    title = "Sign in to continue"


class Conflict(AppError):
    status_code = 409
    title = "That cannot be done now"


class InvalidInput(AppError):
    """Field errors keyed by field name, in the order they appear on the form."""

    status_code = 422

    def __init__(self, errors: dict[str, str], message: str = "Check the answers below"):
        super().__init__(message)
        self.errors = errors


class RateLimited(AppError):
    status_code = 429
    title = "Too many attempts"

    def __init__(self, message: str, retry_after_seconds: int = 60):
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds
