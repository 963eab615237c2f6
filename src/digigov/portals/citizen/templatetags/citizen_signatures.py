"""{% case_signature_panel case %}: the applicant's e-signature of a case on the case page
("已电子签名（时间）" with a verify link, or the sign button). A tag, so the case page's
view needs no change; it calls one selector, for the signed-in citizen only."""

from __future__ import annotations

from django import template

from digigov.kernel.principals import request_principal
from digigov.support.seals.selectors.signatures import signatures_for

register = template.Library()
SIGNABLE_ROLES = ("applicant",)
UNSIGNABLE = ("draft", "withdrawn", "not_accepted")


@register.inclusion_tag("citizen/signatures/_case_panel.html", takes_context=True)
def case_signature_panel(context, case):
    request = context.get("request")
    if request is None or getattr(case, "role", "") not in SIGNABLE_ROLES:
        return {"show": False}
    principal = request_principal(request)
    if principal.kind != "citizen":
        return {"show": False}
    signed = signatures_for(principal=principal, object_ref=f"services.application:{case.number}")
    return {
        "show": bool(signed) or case.status not in UNSIGNABLE,
        "case": case,
        "signature": signed[0] if signed else None,
        "label": "签署承诺书" if case.approval_mode == "commitment" else "签署申请表",
    }
