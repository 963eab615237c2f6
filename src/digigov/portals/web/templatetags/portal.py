"""Template helpers for base.html, which every portal (and identity's pages) extends."""

from django import template

from digigov.portals.web.preferences import elderly_enabled

register = template.Library()


@register.simple_tag(takes_context=True)
def elderly_mode(context) -> bool:
    return elderly_enabled(context.get("request"))
