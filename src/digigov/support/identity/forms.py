"""Forms of the login, second-factor, registration and real-name pages: shape checks only;
the services decide what is allowed."""

from __future__ import annotations

from django import forms

from digigov.kernel.errors import DomainError


class DomainErrorsMixin:
    def add_domain_error(self, error: DomainError) -> None:
        placed = False
        for field, messages in (error.fields or {}).items():
            if field in self.fields:  # type: ignore[attr-defined]
                for message in messages:
                    self.add_error(field, message)  # type: ignore[attr-defined]
                placed = True
        if not placed or error.message not in str(error.fields):
            self.add_error(None, error.message)  # type: ignore[attr-defined]


class LoginForm(forms.Form):
    username = forms.CharField(
        label="用户名",
        max_length=150,
        error_messages={"required": "请输入用户名"},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label="密码",
        strip=False,
        error_messages={"required": "请输入密码"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class OtpForm(forms.Form):
    token = forms.CharField(
        label="动态验证码",
        min_length=6,
        max_length=8,
        help_text="打开手机上的身份验证器（如 FreeOTP、Google Authenticator），输入显示的 6 位数字。",
        error_messages={
            "required": "请输入动态验证码",
            "min_length": "动态验证码为 6 位数字",
            "max_length": "动态验证码为 6 位数字",
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip().replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError("动态验证码只能是数字", code="token_format")
        return token


class RegistrationForm(DomainErrorsMixin, forms.Form):
    kind = forms.ChoiceField(
        label="账号类型",
        choices=[("citizen", "个人"), ("enterprise", "企业经办人")],
        initial="citizen",
        widget=forms.RadioSelect,
        error_messages={"required": "请选择账号类型", "invalid_choice": "账号类型无效"},
    )
    username = forms.CharField(
        label="用户名",
        max_length=30,
        help_text="以字母开头，4-30 位字母、数字或下划线。",
        error_messages={"required": "请填写用户名"},
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    phone = forms.CharField(
        label="手机号码",
        max_length=11,
        error_messages={"required": "请填写手机号码"},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    password = forms.CharField(
        label="密码",
        strip=False,
        help_text="至少 8 位，不能全是数字，不能过于常见。",
        error_messages={"required": "请设置密码"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label="确认密码",
        strip=False,
        error_messages={"required": "请再次输入密码"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("password")
            and data.get("password_again")
            and data["password"] != data["password_again"]
        ):
            self.add_error("password_again", "两次输入的密码不一致")
        return data


class RealnameForm(DomainErrorsMixin, forms.Form):
    name = forms.CharField(
        label="姓名",
        max_length=50,
        error_messages={"required": "请填写姓名"},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label="居民身份证号",
        max_length=18,
        help_text="18 位，最后一位可能是 X。",
        error_messages={"required": "请填写身份证号"},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_id_number(self) -> str:
        return self.cleaned_data["id_number"].strip().upper()


class VerifyInPersonForm(DomainErrorsMixin, forms.Form):
    account_id = forms.IntegerField(widget=forms.HiddenInput)
    place = forms.CharField(
        label="核验地点",
        max_length=120,
        help_text="例如：广州市天河区政务服务中心 3 号窗口",
        error_messages={"required": "请填写核验地点"},
    )
    confirmed = forms.BooleanField(
        label="我已当面核对其居民身份证原件，人证一致",
        error_messages={"required": "请确认已当面核对身份证原件"},
    )
