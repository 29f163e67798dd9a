"""Writes for the organization, its branches and terminals, and its staff (see each module)."""

from .branches import *  # noqa: F403
from .branches import __all__ as _branches
from .organization import *  # noqa: F403
from .organization import __all__ as _organization
from .staff import *  # noqa: F403
from .staff import __all__ as _staff

__all__ = [*_branches, *_organization, *_staff]
