from django.contrib import admin

from .models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "organization", "channel", "purpose", "status", "attempts")
    list_filter = ("channel", "status", "purpose")
    readonly_fields = [f.name for f in Message._meta.fields if f.name != "sealed"]
    exclude = ("sealed",)

    def has_add_permission(self, request):  # noqa: ARG002
        return False
