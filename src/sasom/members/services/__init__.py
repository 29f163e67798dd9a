"""Writes for members (``members``) and their configuration (``config``); import from here."""

from .config import *  # noqa: F403
from .config import __all__ as _config_all
from .members import *  # noqa: F403
from .members import __all__ as _members_all

__all__ = [*_members_all, *_config_all]
