"""One-time login codes of the member portal."""

from __future__ import annotations

from django.db import models

from sasom.core.tenancy import TenantModel


class LoginCode(TenantModel):
    """A code asked for by someone typing ``phone``.

    A row is written for every request, also when the phone belongs to no member (or to one who
    may not log in): then ``member`` is empty, ``code_hash`` is empty and nothing is sent, but the
    row counts for the resend cooldown and the hourly caps exactly like any other, so the answer
    never tells whether a phone is a member's. The code itself is stored only as an HMAC.
    """

    phone = models.CharField(max_length=20)
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    wrong_tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "phone", "created_at"], name="login_code_phone_idx"),
            models.Index(fields=["ip", "created_at"], name="login_code_ip_idx"),
        ]

    def __str__(self) -> str:
        return f"login code #{self.pk}"
