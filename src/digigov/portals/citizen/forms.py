"""The grant form of 亲友代办: shape checks only; the service decides what is allowed."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from digigov.kernel.errors import DomainError
from digigov.kernel.ids import resident_id_validate
from digigov.support.identity.constants import DELEGATION_SCOPES


class DelegationGrantForm(forms.Form):
    agent_name = forms.CharField(
        label="亲友姓名",
        max_length=60,
        error_messages={"required": "请填写亲友姓名"},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    agent_id_number = forms.CharField(
        label="亲友身份证号",
        max_length=18,
        help_text="18 位居民身份证号，用于与人口基础库核对。",
        error_messages={"required": "请填写亲友身份证号"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    scopes = forms.MultipleChoiceField(
        label="授权范围",
        choices=list(DELEGATION_SCOPES.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一项授权范围", "invalid_choice": "授权范围无效"},
    )
    expires_on = forms.DateField(
        label="有效期至",
        help_text="到期当天 23:59 后授权自动失效。",
        error_messages={"required": "请选择有效期", "invalid": "日期格式应为 年-月-日"},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_agent_name(self) -> str:
        return self.cleaned_data["agent_name"].strip()

    def clean_agent_id_number(self) -> str:
        value = self.cleaned_data["agent_id_number"].strip().upper()
        try:
            resident_id_validate(value)
        except DomainError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        return value

    def clean_expires_on(self) -> datetime.date:
        value = self.cleaned_data["expires_on"]
        if value <= timezone.localdate():
            raise forms.ValidationError("有效期必须晚于今天", code="expires_past")
        return value

    def expires_at(self) -> datetime.datetime:
        """The end of the chosen day, local time."""
        day_end = datetime.datetime.combine(self.cleaned_data["expires_on"], datetime.time.max)
        return timezone.make_aware(day_end.replace(microsecond=0))

    def add_domain_error(self, error: DomainError) -> None:
        """Show a service's refusal beside the field it names, or above the form."""
        placed = False
        for field, messages in (error.fields or {}).items():
            if field in self.fields:
                for message in messages:
                    self.add_error(field, message)
                placed = True
        if not placed:
            self.add_error(None, error.message)
