"""Expected outcomes carry their own status; handlers render them as pages or JSON.

Messages are said in the request's language where they are raised (`app.i18n._`); the titles
here are marked for the catalogue and translated where the page is rendered.
"""

from app.i18n import N_, _


class AppError(Exception):
    status_code = 400
    title = N_("There is a problem")

    def __init__(self, message: str, *, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code


class NotFound(AppError):
    status_code = 404
    title = N_("Page not found")

    def __init__(self, message: str | None = None):
        super().__init__(
            message or _("We could not find that page. It may have moved, or you may not have access to it.")
        )


class Forbidden(AppError):
    status_code = 403
    title = N_("You do not have access")


class NotSignedIn(AppError):
    status_code = 401
    title = N_("Sign in to continue")


class Conflict(AppError):
    status_code = 409
    title = N_("That cannot be done now")


class InvalidInput(AppError):
    """Field errors keyed by field name, in the order they appear on the form."""

    status_code = 422

    def __init__(self, errors: dict[str, str], message: str | None = None):
        super().__init__(message or _("Check the answers below"))
        self.errors = errors


class RateLimited(AppError):
    status_code = 429
    title = N_("Too many attempts")

    def __init__(self, message: str, retry_after_seconds: int = 60):
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds
