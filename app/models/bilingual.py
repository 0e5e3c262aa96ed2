"""Officers' words in both languages (issue 28; decision 0107).

English is what an officer writes first and what answers are stored against (an option's value
stays its English text, so counts never split by language). Beside it, `welsh` holds the Welsh
version of each field that has one, by field name (options as a list in the same order). A page
shows each field in the reader's language and falls back to the other, marked with its `lang`.
"""

from typing import ClassVar

from markupsafe import Markup, escape
from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column

from app.i18n import gettext

WELSH = "cy"
ENGLISH = "en"


class LocalisedText(str):
    """A field's text as shown to a reader, knowing which language it is in."""

    lang: str
    fallback: bool

    def __new__(cls, text: str, lang: str, fallback: bool):
        made = super().__new__(cls, text)
        made.lang, made.fallback = lang, fallback
        return made

    def __html__(self) -> Markup:
        """In the page's own language as plain text; a fallback marked with its language (WCAG 3.1.2)."""
        if self.fallback and str(self):
            return Markup('<span lang="{}">{}</span>').format(self.lang, str(self))
        return escape(str(self))


class ReadsInBothLanguages:
    """The reader-language view of an object with English fields and a `welsh` dict beside them
    (a model row, or a frozen copy of one such as the answering journey's cached questions)."""

    welsh: dict
    DEFAULT_TEXTS: ClassVar[dict[str, str]] = {}  # Chorus's own default words, translated by the catalogue

    def is_default_text(self, field: str) -> bool:
        english = getattr(self, field, None)
        return bool(english) and english == self.DEFAULT_TEXTS.get(field)

    def welsh_text(self, field: str) -> str:
        value = (self.welsh or {}).get(field)
        return value if isinstance(value, str) else ""

    def localised(self, field: str, locale: str) -> LocalisedText:
        english = getattr(self, field) or ""
        if locale == WELSH:
            welsh = self.welsh_text(field)
            if welsh:
                return LocalisedText(welsh, WELSH, fallback=False)
            if self.is_default_text(field):
                return LocalisedText(gettext(english), WELSH, fallback=False)
            return LocalisedText(english, ENGLISH, fallback=bool(english))
        return LocalisedText(english, ENGLISH, fallback=False)

    def localised_option(self, option: str, locale: str) -> LocalisedText:
        """An option (stored in English) as the reader sees it."""
        options = list(getattr(self, "options", None) or [])
        welsh = (self.welsh or {}).get("options") or []
        if locale == WELSH and option in options:
            index = options.index(option)
            if index < len(welsh) and isinstance(welsh[index], str) and welsh[index].strip():
                return LocalisedText(welsh[index], WELSH, fallback=False)
            return LocalisedText(option, ENGLISH, fallback=True)
        return LocalisedText(option, ENGLISH, fallback=False)


class Bilingual(ReadsInBothLanguages):
    """Mixin for models: a `welsh` JSON column; WELSH_FIELDS are the fields officers may translate."""

    WELSH_FIELDS: ClassVar[tuple[str, ...]] = ()

    welsh: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")

