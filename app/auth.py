"""Who is asking: the signed-in user (if any) and role checks, as FastAPI dependencies."""

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.db import request_session
from app.errors import Forbidden, NotSignedIn
from app.i18n import _
from app.models.user import Role, User
from app.services import accounts
from app.services.accounts.sign_in import SecondFactorRequired, second_factor_required

SESSION_COOKIE = "chorus_session"

DbSession = Annotated[Session, Depends(request_session, scope="function")]


def current_user_or_none(request: Request, db: DbSession) -> User | None:
    if hasattr(request.state, "user"):
        return request.state.user
    token = request.cookies.get(SESSION_COOKIE)
    user = None
    if token:
        settings = request.app.state.settings
        found = accounts.find_session(db, token, settings)
        user = found.user
        if found.session_id is not None and (found.needs_touch or user is None):
            _update_session_apart(request, found.session_id, expired=user is None)
    request.state.user = user
    return user


def _update_session_apart(request: Request, session_id: int, *, expired: bool) -> None:
    # A short write transaction of its own: GET requests read in a deferred transaction.
    with request.app.state.database.transaction() as db:
        if expired:
            accounts.end_session_by_id(db, session_id)
        else:
            accounts.touch_session(db, session_id)


CurrentUser = Annotated[User | None, Depends(current_user_or_none)]


# Residents' light accounts (issue 27) never enter the staff area, whatever a route there accepts.
STAFF_AREA = ("/officer", "/admin", "/account/")


def require_user(request: Request, user: CurrentUser) -> User:
    if user is None:
        raise NotSignedIn(_("Sign in to see this page."))
    if user.role == Role.RESIDENT and request.url.path.startswith(STAFF_AREA):
        raise Forbidden(_("This page is for council staff and organisations."))
    return user


def require_role(*roles: Role):
    def dependency(request: Request, user: Annotated[User, Depends(require_user)]) -> User:
        if user.role not in roles:
            raise Forbidden(_("Your account does not have access to this page."))
        if second_factor_required(request.app.state.settings, user):
            raise SecondFactorRequired(_("Admins must set up two-step verification before anything else."))
        return user

    return dependency


SignedIn = Annotated[User, Depends(require_user)]
Staff = Annotated[User, Depends(require_role(Role.ADMIN, Role.OFFICER))]
Admin = Annotated[User, Depends(require_role(Role.ADMIN))]
DataProtection = Annotated[User, Depends(require_role(Role.DATA_PROTECTION))]
# A resident's light account (issue 27): My Chorus and following
Resident = Annotated[User, Depends(require_role(Role.RESIDENT))]
