"""Segments: which members a set of conditions selects (docs/decisions/0004-segments.md).

Shared by messaging broadcasts, reports and coupon bulk issue: import
:func:`~sasom.segments.builder.segment_members`, :func:`~sasom.segments.builder.segment_preview`
and :func:`~sasom.segments.builder.segment_clean`. Conditions are listed in
:data:`~sasom.segments.conditions.CONDITIONS`.
"""
