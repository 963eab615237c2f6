from __future__ import annotations

import datetime as dt
import math

from django import template

register = template.Library()


@register.filter
def lockout_minutes(value: dt.timedelta) -> int:
    """Whole minutes of a cool-off period, rounded up (15 for 0.25 h)."""
    return max(1, math.ceil(value.total_seconds() / 60))
