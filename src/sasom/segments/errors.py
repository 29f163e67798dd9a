"""The segments' error codes (``DomainError.code``)."""

E_CONDITION = "segment.condition_invalid"
E_PARAMETER = "segment.parameter_invalid"
