"""All models, imported so that Base.metadata is complete (Alembic and the app rely on it).

Every module in this package is imported automatically: add a file, its tables are known.
"""

import importlib
import pkgutil

from app.models.base import Base

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["Base"]
