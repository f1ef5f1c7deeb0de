"""Reads the back office needs beyond a plain `visible_to`: users (who reach a scope through
their memberships), the audit entries a user may read, and a one-line description of a scope.
All of them are built on core.scoping; none has a rule of its own about regions."""

from __future__ import annotations

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet

from sportsplatform.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from sportsplatform.core.scoping import scope_for, visible_to


def organisations_in_reach(user, queryset: QuerySet | None = None) -> QuerySet:
    """Organisations the user may see in the back office. The platform operator's own
    organisation is managed by platform admins only: a provincial official whose region contains
    it must not rename it, deactivate it (which would disarm every platform admin) or add
    members to it."""
    qs = visible_to(user, queryset if queryset is not None else Organisation.objects.all())
    if not scope_for(user).everything:
        qs = qs.exclude(kind=OrganisationKind.PLATFORM)
    return qs


def memberships_in_reach(user, queryset: QuerySet | None = None) -> QuerySet:
    qs = visible_to(user, queryset if queryset is not None else Membership.objects.all())
    if not scope_for(user).everything:
        qs = qs.exclude(organisation__kind=OrganisationKind.PLATFORM)
    return qs


def visible_users(user, queryset: QuerySet | None = None) -> QuerySet:
    """Accounts the user may see. Platform admins see everyone; everybody else sees the people
    who hold an active membership in an organisation they can see (a county official: the staff
    of that county's bureau, venues and institutions) and never the public at large."""
    qs = queryset if queryset is not None else User.objects.all()
    if scope_for(user).everything:
        return qs
    members = memberships_in_reach(user, Membership.objects.filter(is_active=True, user_id=OuterRef("pk")))
    return qs.filter(Exists(members))


def audit_entries_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Audit entries a user may read: platform admins all; others the entries they made and
    those about objects they can see now (organisations, memberships, users of their region)."""
    qs = queryset if queryset is not None else LogEntry.objects.all()
    scope = scope_for(user)
    if scope.everything:
        return qs
    if scope.is_empty:
        return qs.filter(actor_id=user.pk)
    about_visible = Q(pk__in=[])
    reachable = {
        Organisation: organisations_in_reach(user),
        Membership: memberships_in_reach(user),
        User: visible_users(user),
    }
    for model in auditlog.get_models():
        if model in reachable:
            objects = reachable[model]
        elif getattr(model, "scope_region_field", None) or getattr(model, "scope_organisation_field", None):
            objects = visible_to(user, model._default_manager.all())
        else:
            continue
        content_type = ContentType.objects.get_for_model(model)
        about_visible |= Q(content_type=content_type, object_id__in=objects.values("pk"))
    return qs.filter(Q(actor_id=user.pk) | about_visible)


def describe_scope(user) -> str:
    """ "四川省 · 成都市" style summary of where a user's back-office reach lies."""
    from django.utils.translation import gettext

    scope = scope_for(user)
    if scope.everything:
        return gettext("All regions (platform admin)")
    names = []
    memberships = (
        user.memberships.filter(is_active=True, organisation__is_active=True)
        .select_related("organisation__region")
        .order_by("organisation__region_id", "organisation__name")
    )
    for m in memberships:
        if m.role == Role.BUREAU_OFFICIAL:
            names.append(f"{m.organisation.region.name} ({m.organisation.region_id})")
        else:
            names.append(m.organisation.name)
    return " · ".join(dict.fromkeys(names)) or gettext("Nothing yet: ask an administrator to grant you a role.")
