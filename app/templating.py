"""Jinja environment and render(): the full page, or only the fragment an HTMX request asked for."""

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date, format_datetime
from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.responses import Response

from app import i18n
from app.models.base import LANGUAGES
from app.models.bilingual import LocalisedText
from app.security import CSRF_FIELD

TEMPLATE_DIR = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
templates.env.autoescape = True
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True
templates.env.add_extension("jinja2.ext.i18n")
# newstyle: `_("%(n)s answers", n=n)` formats and escapes its values like any other output
templates.env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)


def _csrf_field(request: Request) -> Markup:
    token = escape(getattr(request.state, "csrf_token", ""))
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{token}">')  # noqa: S704  # nosec B704 - escaped token


def _format_number(value: int | float) -> str:
    return f"{value:,}"


def _format_date(value) -> str:
    return format_date(value, "d MMMM y", locale=i18n.babel_locale()) if value else ""


def _format_datetime(value) -> str:
    return format_datetime(value, "d MMMM y, HH:mm", locale=i18n.babel_locale()) if value else ""


def _local(record, field: str) -> LocalisedText:
    """An officer's text (title, question, finding...) in the reader's language, or the other one."""
    return record.localised(field, i18n.current_locale())


def _local_option(record, option: str) -> LocalisedText:
    return record.localised_option(option, i18n.current_locale())


def _local_choices(category) -> list:
    return category.localised_choices(i18n.current_locale())


def _plain(value):
    """For attributes and <title>: the text alone, without the fallback's language mark."""
    return str(value) if isinstance(value, LocalisedText) else value


def _switch_language_url(request: Request) -> str:
    """The switch's link: to the other language, back to this very page."""
    other = "en" if i18n.current_locale() == "cy" else "cy"
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/language/{other}?{urlencode({'next': here})}"


templates.env.globals["csrf_field"] = _csrf_field
templates.env.globals["languages"] = list(LANGUAGES.items())  # the languages Chorus emails in
templates.env.filters["local"] = _local
templates.env.filters["local_option"] = _local_option
templates.env.filters["local_choices"] = _local_choices
templates.env.filters["plain"] = _plain
templates.env.globals["current_locale"] = i18n.current_locale
templates.env.globals["locale_names"] = i18n.LOCALE_NAMES
templates.env.globals["switch_language_url"] = _switch_language_url
templates.env.filters["number"] = _format_number
templates.env.filters["date"] = _format_date
templates.env.filters["datetime"] = _format_datetime


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    fragment: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Render `template`, or `fragment` alone for an HTMX request (same data, smaller answer)."""
    context = dict(context or {})
    context.setdefault("user", getattr(request.state, "user", None))
    context.setdefault("settings", request.app.state.settings)
    name = fragment if fragment and is_htmx(request) else template
    response = templates.TemplateResponse(request, name, context, status_code=status_code, headers=headers)
    response.headers["Vary"] = "HX-Request, Accept-Language"
    response.headers["Content-Language"] = i18n.current_locale()
    response.headers.setdefault("Cache-Control", "no-store" if context["user"] else "private, no-cache")
    return response


def render_form(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int | None = None,
    fragment: str | None = None,
) -> Response:
    """A page with a form: blank (200), or again with what is wrong and everything the person typed.

    With errors the status is 422 unless another is given (429 for a rate limit); the template's
    error summary links each message in `errors` to its field, and `values` refill the fields.
    Every route that re-renders a form goes through here.
    """
    if status_code is None:
        status_code = 422 if errors else 200
    context = {**(context or {}), "errors": errors or {}, "values": values or {}}
    return render(request, template, context, status_code=status_code, fragment=fragment)
