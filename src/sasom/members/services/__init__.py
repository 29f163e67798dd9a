"""Writes for members (``members``, ``codes``, ``cards``, ``personal_data``, with helpers in
``common``) and their configuration (``config``); import from here."""

from .cards import *  # noqa: F403
from .cards import __all__ as _cards_all
from .codes import *  # noqa: F403
from .codes import __all__ as _codes_all
from .common import *  # noqa: F403
from .common import __all__ as _common_all
from .config import *  # noqa: F403
from .config import __all__ as _config_all
from .members import *  # noqa: F403
from .members import __all__ as _members_all
from .personal_data import *  # noqa: F403
from .personal_data import __all__ as _personal_data_all

__all__ = [
    *_members_all, *_codes_all, *_cards_all, *_personal_data_all, *_common_all, *_config_all,
]
