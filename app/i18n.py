"""Welsh and English: the catalogue, the language of this request, and the words in it.

Every string people read goes through `gettext` (`_`): in templates (Jinja's i18n extension), in
the messages services raise, in emails and in export headers. The Welsh catalogue is
`app/locale/cy/LC_MESSAGES/messages.po`, read once per process (no compiled `.mo` file to go
stale). Which language a request is in is decided once, by `LocaleMiddleware`, and held in a
context variable, so a service raising "Enter a title" needs no request to say it in Welsh.
A background job (an email, a digest) says it in the recipient's language with `use_locale`.

Strings defined where no request exists yet (class attributes, module constants) are marked
with `N_` for the catalogue and translated where they are shown.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.types import ASGIApp, Receive, Scope, Send

DEFAULT_LOCALE = "en"
LOCALES = ("en", "cy")
# Each language named in itself: the switch offers the other one in its own words.
LOCALE_NAMES = {"en": "English", "cy": "Cymraeg"}
LOCALE_COOKIE = "chorus_lang"
LOCALE_DIR = Path(__file__).parent / "locale"
CATALOGUE = LOCALE_DIR / "cy" / "LC_MESSAGES" / "messages.po"

_current: ContextVar[str] = ContextVar("chorus_locale", default=DEFAULT_LOCALE)


def N_(message: str) -> str:
    """Marks `message` for the catalogue without translating it yet (see the module docstring)."""
    return message


@cache
def translations(locale: str) -> NullTranslations:
    if locale == DEFAULT_LOCALE or not CATALOGUE.exists():
        return NullTranslations()
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled)


def current_locale() -> str:
    return _current.get()


def gettext(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


_ = gettext


@contextmanager
def use_locale(locale: str | None) -> Iterator[str]:
    """Everything said inside is in `locale` (English for anything Chorus does not speak)."""
    chosen = normalise(locale)
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def normalise(locale: str | None) -> str:
    return locale if locale in LOCALES else DEFAULT_LOCALE


def babel_locale() -> Locale:
    return Locale.parse(_current.get())


def locale_from_headers(cookie_header: str | None, accept_language: str | None) -> str:
    """The visitor's choice (the switch's cookie) first, then what their browser asks for."""
    for part in (cookie_header or "").split(";"):
        name, _sep, value = part.strip().partition("=")
        if name == LOCALE_COOKIE and value in LOCALES:
            return value
    return _from_accept_language(accept_language or "")


def _from_accept_language(header: str) -> str:
    best, best_q = DEFAULT_LOCALE, 0.0
    for item in header.split(","):
        tag, _sep, params = item.strip().partition(";")
        language = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        if language in LOCALES and q > best_q:
            best, best_q = language, q
    return best


def scope_locale(scope: Scope) -> str:
    cookie = accept = None
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            cookie = value.decode("latin-1")
        elif name == b"accept-language":
            accept = value.decode("latin-1")
    return locale_from_headers(cookie, accept)


class LocaleMiddleware:
    """Decides the request's language once; everything downstream (pages, errors, the page cache)
    reads it from the context variable or `request.state.locale`."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        locale = scope_locale(scope)
        scope.setdefault("state", {})["locale"] = locale
        token = _current.set(locale)
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)
