"""Back office for accounts: users, organisations and memberships, all through core.scoping.

Who may do what (role permissions are granted in backoffice/apps.py):
- platform admins manage everything, including user accounts;
- bureau officials see the staff of organisations in their region (never the public at large),
  keep those organisations' data, create organisations in their region and grant or revoke roles
  in them (never platform admin, never in the platform operator's own organisation);
- operator, institution and expert staff see their own organisation.
Writes go through accounts.domain (create_user, update_user, create/update_organisation,
grant/revoke_membership)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import BooleanRadioFilter, ChoicesDropdownFilter, DropdownFilter
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm
from unfold.widgets import UnfoldAdminTextInputWidget

from sportsplatform.backoffice.queries import memberships_in_reach, organisations_in_reach, visible_users
from sportsplatform.core.admin import (
    ScopedAdminMixin,
    ScopedModelAdmin,
    ScopedRegionFilter,
    ScopedRelatedFilter,
    ScopedTabularInline,
    lies_in_scope,
)
from sportsplatform.core.scoping import scope_for
from sportsplatform.regions.models import scope_prefix

from .domain.users import (
    create_organisation,
    create_user,
    grant_membership,
    revoke_membership,
    update_organisation,
    update_user,
)
from .models import Membership, Organisation, OrganisationKind, Role, User
from .phones import MAINLAND_PHONE, mask_phone, normalise_phone


def _everything(request) -> bool:
    return scope_for(request.user).everything


def _client_ip(request) -> str | None:
    return getattr(request, "client_ip", None) or request.META.get("REMOTE_ADDR") or None


# Membership's foreign keys carry no verbose_name: name them for the forms and column headers.
MEMBERSHIP_LABELS = {"user": _("user"), "organisation": _("organisation")}


class MembershipLabelsMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.model is Membership and db_field.name in MEMBERSHIP_LABELS:
            kwargs.setdefault("label", MEMBERSHIP_LABELS[db_field.name])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("user"), ordering="user__username")
    def member(self, obj):
        return obj.user

    @admin.display(description=_("organisation"), ordering="organisation__name")
    def member_of(self, obj):
        return obj.organisation


def _active_memberships_prefetch() -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(is_active=True).select_related("organisation__region").order_by("pk"),
        to_attr="active_memberships",
    )


# --- users ------------------------------------------------------------------------------------


class UserMembershipInline(MembershipLabelsMixin, ScopedTabularInline):
    """The user's roles, read-only: roles are granted and revoked on the Memberships page so each
    change goes through grant_membership / revoke_membership."""

    model = Membership
    fk_name = "user"
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["member_of", "organisation_region", "role", "is_active", "created_at"]
    readonly_fields = fields
    verbose_name_plural = _("roles")

    def get_queryset(self, request):
        return memberships_in_reach(request.user, super().get_queryset(request)).select_related("organisation__region")

    @admin.display(description=_("region"))
    def organisation_region(self, obj):
        return obj.organisation.region if obj.organisation_id else ""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class UserRoleFilter(DropdownFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        if self.value() not in Role.values:
            return queryset
        return queryset.filter(
            Exists(Membership.objects.filter(user_id=OuterRef("pk"), is_active=True, role=self.value()))
        )


class UserRegionFilter(ScopedRegionFilter):
    """Users whose active memberships lie in the chosen region."""

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value not in {code for code, _label in self.lookup_choices}:
            return queryset.none()
        in_region = Membership.objects.filter(
            user_id=OuterRef("pk"), is_active=True, organisation__region__code__startswith=scope_prefix(value)
        )
        return queryset.filter(Exists(in_region))


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin, ModelAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm

    list_display = ["username", "display_name", "masked_phone", "is_staff", "roles", "last_login"]
    list_filter = [
        UserRoleFilter,
        UserRegionFilter,
        ("is_staff", BooleanRadioFilter),
        ("is_active", BooleanRadioFilter),
    ]
    search_fields = ["username", "display_name", "=phone", "email"]
    ordering = ["username"]
    inlines = [UserMembershipInline]
    export_fields = [
        "username",
        "display_name",
        "masked_phone",
        "email",
        "is_staff",
        "is_active",
        "roles",
        "last_login",
    ]

    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("display_name", "phone", "email")}),
        (_("Status"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined", "password_changed_at")}),
    )
    # What officials see: no password block, the phone masked (PIPL: minimum necessary).
    limited_fieldsets = (
        (None, {"fields": ("username", "display_name", "masked_phone")}),
        (_("Status"), {"fields": ("is_active", "is_staff", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "display_name", "phone", "usable_password", "password1", "password2"),
            },
        ),
    )
    # Staff status follows memberships (grant/revoke set it); superusers come from createsuperuser.
    readonly_fields = ["is_staff", "is_superuser", "last_login", "date_joined", "password_changed_at"]

    def scope_queryset(self, request, queryset):
        return visible_users(request.user, queryset)

    def instance_in_scope(self, request, instance):
        # Only platform admins change accounts; officials read them.
        return _everything(request)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(_active_memberships_prefetch())

    def get_inlines(self, request, obj):
        # A new account has no roles yet; they are granted on the Memberships page.
        return self.inlines if obj is not None else []

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not _everything(request):
            return self.limited_fieldsets
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not _everything(request):
            return [f for fieldset in self.limited_fieldsets for f in fieldset[1]["fields"]]
        return super().get_readonly_fields(request, obj)

    def has_add_permission(self, request):
        return _everything(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return _everything(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _everything(request) and super().has_delete_permission(request, obj)

    @admin.display(description=_("mobile phone"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    @admin.display(description=_("roles"))
    def roles(self, obj):
        memberships = getattr(obj, "active_memberships", None)
        if memberships is None:
            memberships = obj.memberships.filter(is_active=True)
        return ", ".join(dict.fromkeys(str(m.get_role_display()) for m in memberships)) or "—"

    def save_model(self, request, obj, form, change):
        if not self.instance_in_scope(request, obj):
            raise PermissionDenied
        if change:
            update_user(user=obj, actor=request.user)
            return
        data = form.cleaned_data
        password = data.get("password1") if data.get("set_usable_password", True) else None
        created = create_user(
            username=data["username"],
            password=password or None,
            phone=data.get("phone") or None,
            display_name=data.get("display_name", ""),
            actor=request.user,
            ip=_client_ip(request),
        )
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False


# --- organisations ----------------------------------------------------------------------------


class OrganisationMembershipInline(MembershipLabelsMixin, ScopedTabularInline):
    model = Membership
    fk_name = "organisation"
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["member", "role", "is_active", "created_at"]
    readonly_fields = fields
    verbose_name_plural = _("members")

    def get_queryset(self, request):
        return memberships_in_reach(request.user, super().get_queryset(request)).select_related("user")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(ScopedModelAdmin):
    list_display = [
        "name",
        "kind",
        "region",
        "credit_code",
        "contact_name",
        "masked_contact_phone",
        "members",
        "is_active",
    ]
    list_filter = [("kind", ChoicesDropdownFilter), ScopedRegionFilter, ("is_active", BooleanRadioFilter)]
    list_select_related = ["region"]
    search_fields = ["name", "credit_code", "contact_name"]
    autocomplete_fields = ["region"]
    inlines = [OrganisationMembershipInline]
    export_fields = ["name", "kind", "region", "credit_code", "contact_name", "contact_phone", "members", "is_active"]
    fieldsets = (
        (None, {"fields": ("name", "kind", "region", "credit_code", "is_active")}),
        (_("Contact"), {"fields": ("contact_name", "contact_phone")}),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )
    readonly_fields = ["created_at", "updated_at"]

    def scope_queryset(self, request, queryset):
        return organisations_in_reach(request.user, queryset)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(member_count=Count("memberships", filter=Q(memberships__is_active=True)))
        )

    def instance_in_scope(self, request, instance):
        if instance.kind == OrganisationKind.PLATFORM and not _everything(request):
            return False
        return lies_in_scope(request.user, instance)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not _everything(request):
            # Changing a bureau into an operator (or back) would change what its members see.
            fields.append("kind")
        return fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            # New organisations start active; the record block has nothing to show yet.
            return (
                (None, {"fields": ("name", "kind", "region", "credit_code")}),
                (_("Contact"), {"fields": ("contact_name", "contact_phone")}),
            )
        return super().get_fieldsets(request, obj)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "kind" and not _everything(request):
            kwargs["choices"] = [("", "---------")] + [
                (value, label) for value, label in OrganisationKind.choices if value != OrganisationKind.PLATFORM
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    @admin.display(description=_("contact phone"))
    def masked_contact_phone(self, obj):
        return mask_phone(obj.contact_phone)

    @admin.display(description=_("members"), ordering="member_count")
    def members(self, obj):
        return getattr(obj, "member_count", None)

    def save_model(self, request, obj, form, change):
        if not self.instance_in_scope(request, obj):
            raise PermissionDenied
        if change:
            update_organisation(organisation=obj, actor=request.user)
            return
        created = create_organisation(
            name=obj.name,
            kind=obj.kind,
            region=obj.region,
            actor=request.user,
            credit_code=obj.credit_code,
            contact_name=obj.contact_name,
            contact_phone=obj.contact_phone,
        )
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False


# --- memberships ------------------------------------------------------------------------------


class MembershipGrantForm(forms.ModelForm):
    """Grant a role: the person is named by username or phone number, so an official can add a
    new colleague without being shown the list of every account on the platform."""

    account = forms.CharField(
        label=_("account"),
        max_length=150,
        help_text=_("Username or mobile phone number of an existing account."),
        widget=UnfoldAdminTextInputWidget(attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = Membership
        fields = ["organisation", "role"]

    def clean_account(self):
        value = self.cleaned_data["account"].strip()
        lookup = Q(username=value)
        phone = normalise_phone(value)
        if MAINLAND_PHONE.match(phone):
            lookup |= Q(phone=phone)
        user = User.objects.filter(lookup).first()
        if user is None or not user.is_active:
            raise ValidationError(_("No active account has this username or phone number."), code="unknown_account")
        return user

    def clean(self):
        data = super().clean()
        organisation, role = data.get("organisation"), data.get("role")
        # The rules grant_membership enforces, checked here so they show as field errors.
        if organisation is not None and role:
            if role == Role.PLATFORM_ADMIN and organisation.kind != OrganisationKind.PLATFORM:
                self.add_error("role", _("Platform admins belong to the platform organisation."))
            elif role == Role.BUREAU_OFFICIAL and organisation.kind != OrganisationKind.BUREAU:
                self.add_error("role", _("Bureau officials belong to a sports bureau."))
        if data.get("account") is not None:
            self.instance.user = data["account"]
        return data


class MembershipOrganisationFilter(ScopedRelatedFilter):
    field_name = "organisation"
    title = _("organisation")


class MembershipRegionFilter(ScopedRegionFilter):
    region_path = "organisation__region"


@admin.register(Membership)
class MembershipAdmin(MembershipLabelsMixin, ScopedModelAdmin):
    list_display = ["member", "member_of", "organisation_region", "role", "is_active", "created_at"]
    list_filter = [
        ("role", ChoicesDropdownFilter),
        MembershipRegionFilter,
        MembershipOrganisationFilter,
        ("is_active", BooleanRadioFilter),
    ]
    list_select_related = ["user", "organisation__region"]
    search_fields = ["user__username", "user__display_name", "organisation__name"]
    actions = ["revoke_selected"]
    export_fields = ["member", "member_of", "organisation_region", "role", "is_active", "created_at"]
    readonly_fields = ["member", "member_of", "role", "created_at", "updated_at"]

    def scope_queryset(self, request, queryset):
        return memberships_in_reach(request.user, queryset)

    def instance_in_scope(self, request, instance):
        if not _everything(request):
            if instance.role == Role.PLATFORM_ADMIN:
                return False
            if instance.organisation_id and instance.organisation.kind == OrganisationKind.PLATFORM:
                return False
        return lies_in_scope(request.user, instance)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": ("account", "organisation", "role")}),)
        return (
            (None, {"fields": ("member", "member_of", "role", "is_active")}),
            (_("Record"), {"fields": ("created_at", "updated_at")}),
        )

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = MembershipGrantForm
        return super().get_form(request, obj, change=change, **kwargs)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not _everything(request):
            kwargs["choices"] = [("", "---------")] + [
                (value, label) for value, label in Role.choices if value != Role.PLATFORM_ADMIN
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # Memberships are revoked, not deleted, so who held which role stays on record.
        return False

    @admin.display(description=_("region"), ordering="organisation__region_id")
    def organisation_region(self, obj):
        return obj.organisation.region

    def save_model(self, request, obj, form, change):
        if not self.instance_in_scope(request, obj):
            raise PermissionDenied
        if not change:
            granted = grant_membership(user=obj.user, organisation=obj.organisation, role=obj.role, actor=request.user)
            obj.pk = granted.pk
            obj.refresh_from_db()
            obj._state.adding = False
        elif "is_active" in form.changed_data:
            if obj.is_active:
                grant_membership(user=obj.user, organisation=obj.organisation, role=obj.role, actor=request.user)
            else:
                revoke_membership(membership=obj, actor=request.user)

    @admin.action(description=_("Revoke selected roles"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        revoked = 0
        for membership in queryset.filter(is_active=True).select_related("user", "organisation"):
            if not self.instance_in_scope(request, membership):
                continue
            revoke_membership(membership=membership, actor=request.user)
            revoked += 1
        self.message_user(
            request,
            ngettext("Revoked %(count)d role.", "Revoked %(count)d roles.", revoked) % {"count": revoked},
            messages.SUCCESS,
        )
