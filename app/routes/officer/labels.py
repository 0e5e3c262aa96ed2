"""The words for stored values on officers' pages, in the reader's language."""

from app.i18n import _


def translated(labels: dict) -> dict:
    """A model's label dict in the reader's language (its keys stay the stored values)."""
    return {key: _(label) for key, label in labels.items()}
