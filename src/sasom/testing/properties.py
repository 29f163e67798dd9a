"""Hypothesis settings for the properties that post to the database (ledger, writers, batches).

Such an example costs tens of milliseconds and a failing one is shrunk by re-running it hundreds
of times, which took minutes (docs/testing.md). So these properties stop at the first failure
they find and report it as found, with the ``@reproduce_failure`` blob to replay it; Hypothesis
also saves it in its example database (``.hypothesis/``). To shrink a failure to its smallest
form, run the one test again with ``SASOM_HYPOTHESIS_SHRINK=1``: the saved example is replayed
first and then shrunk.

The pure engines' properties keep Hypothesis's defaults: their examples take microseconds, so a
failing run shrinks in seconds.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, Phase, settings

#: Set ``SASOM_HYPOTHESIS_SHRINK=1`` to shrink failures of the database properties.
SHRINK = os.environ.get("SASOM_HYPOTHESIS_SHRINK", "") == "1"
WITHOUT_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)


def db_property(*, max_examples: int, **overrides: Any) -> settings:
    """Settings for a property that writes to the database: no deadline (a cold PostgreSQL query
    may take long), fixtures shared by the examples, one failure reported as found."""
    options: dict[str, Any] = {
        "max_examples": max_examples,
        "deadline": None,
        "suppress_health_check": list(HealthCheck),
        "phases": tuple(Phase) if SHRINK else WITHOUT_SHRINK,
        "report_multiple_bugs": False,
        "print_blob": True,
    }
    options.update(overrides)
    return settings(**options)
