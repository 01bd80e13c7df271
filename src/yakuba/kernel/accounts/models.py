"""Users, residents' profiles, departments (課), sections (係) and staff roles."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.tenancy.models import TenantModel


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A login identity. Whether it is a resident of a town or staff of one is in the profiles below."""

    email = models.EmailField(_("メールアドレス"), unique=True)
    display_name = models.CharField(_("表示名"), max_length=100, blank=True)
    is_active = models.BooleanField(_("有効"), default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Set when the owner opened the link mailed to this address. Apps that mail personal data (receipts,
    # copies of answers) must check it: an unconfirmed address may be a typo or someone else's.
    email_verified_at = models.DateTimeField(_("メールアドレス確認日時"), null=True, blank=True)
    # OIDC subject of the デジタル認証アプリ identity linked to this login, if any.
    oidc_issuer = models.CharField(max_length=255, blank=True)
    oidc_subject = models.CharField(max_length=255, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("利用者")
        constraints = [
            models.UniqueConstraint(
                fields=["oidc_issuer", "oidc_subject"],
                condition=~models.Q(oidc_subject=""),
                name="user_unique_oidc_subject",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def is_staff(self) -> bool:  # Django admin is not used; kept for third-party code that asks.
        return False


class Department(TenantModel):
    """課: a department of the town office."""

    name = models.CharField(_("課名"), max_length=50)
    name_en = models.CharField(_("英語名"), max_length=100, blank=True)
    phone = models.CharField(_("電話"), max_length=20, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("課")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="department_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Section(TenantModel):
    """係: a section inside a department."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(_("係名"), max_length=50)

    class Meta:
        ordering = ["department__sort_order", "name"]
        verbose_name = _("係")
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="section_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.department.name} {self.name}"


class Role(models.IntegerChoices):
    """Staff roles, in increasing power within the town. 情報担当 (admin) implies the others."""

    STAFF = 10, _("職員")
    APPROVER = 20, _("所属長")
    ADMIN = 30, _("情報担当")


class Staff(TenantModel):
    """職員: a user's membership of one town's staff."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="staff")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="staff")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, null=True, blank=True, related_name="staff")
    role = models.PositiveSmallIntegerField(_("役割"), choices=Role.choices, default=Role.STAFF)
    family_name = models.CharField(_("姓"), max_length=50)
    given_name = models.CharField(_("名"), max_length=50)
    is_active = models.BooleanField(_("在職"), default=True)

    class Meta:
        ordering = ["department__sort_order", "family_name"]
        verbose_name = _("職員")

    def __str__(self) -> str:
        return f"{self.family_name} {self.given_name}"

    def has_role(self, role: int) -> bool:
        return self.is_active and self.role >= role


class Gender(models.TextChoices):
    MALE = "male", _("男性")
    FEMALE = "female", _("女性")
    OTHER = "other", _("その他")
    UNSPECIFIED = "", _("回答しない")


class Resident(TenantModel):
    """住民: what the town knows about a resident who uses its online services.

    Fields verified through マイナンバーカード (基本4情報) are marked so forms can prefill them and
    never ask again (once-only).
    """

    # Empty for a resident registered at the counter (書かない窓口) who has no online account (yet).
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="residencies", null=True, blank=True)
    family_name = models.CharField(_("姓"), max_length=50, blank=True)
    given_name = models.CharField(_("名"), max_length=50, blank=True)
    family_name_kana = models.CharField(_("姓（カナ）"), max_length=50, blank=True)
    given_name_kana = models.CharField(_("名（カナ）"), max_length=50, blank=True)
    birthdate = models.DateField(_("生年月日"), null=True, blank=True)
    gender = models.CharField(_("性別"), max_length=10, choices=Gender.choices, blank=True)
    postal_code = models.CharField(_("郵便番号"), max_length=8, blank=True)
    address = models.CharField(_("住所"), max_length=200, blank=True)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    verified_at = models.DateTimeField(_("本人確認日時"), null=True, blank=True)
    verified_fields = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name_kana", "given_name_kana"]
        verbose_name = _("住民")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "user"], name="resident_one_per_town")
        ]

    def __str__(self) -> str:
        name = f"{self.family_name} {self.given_name}".strip()
        return name or (self.user.email if self.user else f"#{self.pk}")

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def verified_email(self) -> str:
        """The address mail with personal data may go to: the account's, and only once confirmed (the kernel's
        mail rule, kernel/messaging/consent.py, says so; this is its answer for templates)."""
        from yakuba.kernel.messaging.consent import Purpose, to_person

        return to_person(self, Purpose.PERSONAL).address
