"""Forms for signing in, signing up and the resident profile. Normalise Japanese input before validating."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.forms import normalise
from yakuba.kernel.forms.validate import KANA_RE, PHONE_RE

from .models import Department, Resident, Role, Section, User


def nfkc(value: str) -> str:
    return normalise.text(value or "")


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("メールアドレス"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("パスワード"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    error_messages = {
        "invalid_login": _("メールアドレスまたはパスワードが正しくありません。もう一度入力してください。"),
        "inactive": _("このアカウントは利用停止中です。役場にお問い合わせください。"),
    }

    def clean_username(self) -> str:
        return nfkc(self.cleaned_data["username"]).lower()


class OTPForm(forms.Form):
    token = forms.CharField(
        label=_("確認コード（6桁）"),
        help_text=_("認証アプリに表示されている6桁の数字を入力してください。"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": _("確認コードを入力してください。")},
    )

    def clean_token(self) -> str:
        token = re.sub(r"\s", "", nfkc(self.cleaned_data["token"]))
        if not re.fullmatch(r"\d{6}", token):
            raise forms.ValidationError(_("確認コードは6桁の数字で入力してください。"))
        return token


def email_field(label: Any = None) -> forms.EmailField:
    """An email field with the messages every form of ours gives."""
    return forms.EmailField(
        label=label or _("メールアドレス"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("メールアドレスを入力してください。"),
            "invalid": _("メールアドレスの形式が正しくありません（例: taro@example.jp）。"),
        },
    )


class SignupForm(forms.Form):
    email = email_field()
    password = forms.CharField(
        label=_("パスワード"),
        strip=False,
        help_text=_("10文字以上。数字だけ・よくある言葉は使えません。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("パスワードを入力してください。")},
    )
    consent = forms.BooleanField(
        label=_("利用規約と個人情報の取扱いに同意します"),
        error_messages={"required": _("利用するには同意が必要です。")},
    )

    def clean_email(self) -> str:
        # No "already registered" error here: the service mails that address's owner instead (enumeration).
        return nfkc(self.cleaned_data["email"]).lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("password")
        if password:
            try:
                password_validation.validate_password(password, User(email=data.get("email", "")))
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data


class ProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Resident
        fields = [
            "family_name", "given_name", "family_name_kana", "given_name_kana",
            "birthdate", "postal_code", "address", "phone",
        ]
        widgets = {
            "family_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "given_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "birthdate": forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
        }
        help_texts = {
            "postal_code": _("例: 370-2601"),
            "phone": _("例: 0274-82-2111"),
            "family_name_kana": _("カタカナ（ひらがなで入力しても自動で直します）"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Verified 基本4情報 came from the マイナンバーカード: shown, never edited here.
        for name in self.instance.verified_fields or []:
            if name in self.fields:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("マイナンバーカードで確認済みのため変更できません。")

    def _clean_kana(self, name: str) -> str:
        value = normalise.katakana(self.cleaned_data.get(name, ""))
        if value and not KANA_RE.match(value):
            raise forms.ValidationError(_("カタカナで入力してください。"))
        return value

    def clean_family_name_kana(self) -> str:
        return self._clean_kana("family_name_kana")

    def clean_given_name_kana(self) -> str:
        return self._clean_kana("given_name_kana")

    def clean_postal_code(self) -> str:
        value = self.cleaned_data.get("postal_code", "")
        if not value.strip():
            return ""
        code = normalise.postal_code(value)
        if code is None:
            raise forms.ValidationError(_("郵便番号は7桁の数字で入力してください（例: 370-2601）。"))
        return code

    def clean_phone(self) -> str:
        value = normalise.phone(self.cleaned_data.get("phone", ""))
        if value and not PHONE_RE.match(value):
            raise forms.ValidationError(_("電話番号は数字とハイフンで入力してください（例: 0274-82-2111）。"))
        return value

    def clean_family_name(self) -> str:
        return nfkc(self.cleaned_data.get("family_name", ""))

    def clean_given_name(self) -> str:
        return nfkc(self.cleaned_data.get("given_name", ""))

    def clean_address(self) -> str:
        return nfkc(self.cleaned_data.get("address", ""))


class ResidentSearchForm(forms.Form):
    q = forms.CharField(label=_("氏名・フリガナ・メールで検索"), required=False, max_length=100)


class StaffInviteForm(forms.Form):
    email = email_field()
    family_name = forms.CharField(label=_("姓"), max_length=50,
                                  error_messages={"required": _("姓を入力してください。")})
    given_name = forms.CharField(label=_("名"), max_length=50,
                                 error_messages={"required": _("名を入力してください。")})
    department: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        label=_("課"), queryset=Department.objects.none(),
                                        error_messages={"required": _("課を選んでください。")})
    section: forms.ModelChoiceField[Section] = forms.ModelChoiceField(
        label=_("係"), queryset=Section.objects.none(), required=False,
        help_text=_("係がなければ空欄のままにします。"))
    role = forms.TypedChoiceField(label=_("役割"), choices=Role.choices, coerce=int, initial=Role.STAFF,
                                  help_text=_("所属長は課の決裁を、情報担当はこの自治体のすべての設定を行えます。"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Querysets are set per request: the town's scope is only open inside it.
        self.fields["department"].queryset = Department.objects.all()  # type: ignore[attr-defined]
        self.fields["section"].queryset = Section.objects.select_related("department").all()  # type: ignore[attr-defined]

    def clean_email(self) -> str:
        return nfkc(self.cleaned_data["email"]).lower()

    def clean_family_name(self) -> str:
        return nfkc(self.cleaned_data["family_name"])

    def clean_given_name(self) -> str:
        return nfkc(self.cleaned_data["given_name"])


class PasswordResetRequestForm(forms.Form):
    email = email_field(_("登録したメールアドレス"))

    def clean_email(self) -> str:
        return nfkc(self.cleaned_data["email"]).lower()
