from django.contrib import admin

from .models import Delivery, Event


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    readonly_fields = ["handler", "delivered_at", "attempts", "last_error"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["id", "topic", "created_at", "completed_at"]
    list_filter = ["topic"]
    inlines = [DeliveryInline]
    readonly_fields = ["topic", "payload", "created_at", "completed_at"]
