"""The one mechanism that decides which regions and objects a user may see and change.

Every back-office list, form, export and API query on scoped data goes through
`visible_to(user, queryset)` / `editable_by(user, queryset)` / `require_visible(...)`.
A model takes part by naming two paths (either may be None):

    scope_region_field = "region"            # path to the Region (its pk is the GB/T 2260 code)
    scope_organisation_field = "operator_id" # path to the owning Organisation's id

Rules:
- platform admins (and superusers) see and change everything;
- a bureau official sees and changes what lies in their bureau's region (province, city or
  county, by code prefix);
- operator, institution and expert staff see and change what their organisation owns;
- nobody else sees anything through the back office.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q

from .errors import NotFound


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    region_prefixes: tuple[str, ...] = ()
    organisation_ids: frozenset[int] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.region_prefixes or self.organisation_ids)

    def allows_region(self, code: str | None) -> bool:
        if self.everything:
            return True
        return bool(code) and any(code.startswith(p) for p in self.region_prefixes)

    def allows_organisation(self, organisation_id: int | None) -> bool:
        return self.everything or (organisation_id is not None and organisation_id in self.organisation_ids)

    def q_for(self, model: type[models.Model]) -> Q | None:
        """The filter for `model`, or None for "everything"."""
        if self.everything:
            return None
        region_path = getattr(model, "scope_region_field", None)
        org_path = getattr(model, "scope_organisation_field", None)
        q = Q(pk__in=[])
        if region_path and self.region_prefixes:
            from sportsplatform.regions.models import Region

            # "region_id IN (codes of the small regions table under the prefix)": an indexable
            # test on the FK column (a LIKE on it would be cast to text and scan every row).
            in_scope = Q(pk__in=[])
            for prefix in self.region_prefixes:
                in_scope |= Q(code__startswith=prefix)
            q |= Q(**{f"{region_path}__in": Region.objects.filter(in_scope).values("code")})
        if org_path and self.organisation_ids:
            q |= Q(**{f"{org_path}__in": sorted(self.organisation_ids)})
        return q


_CACHE_ATTR = "_platform_scope"


def scope_for(user) -> Scope:
    """The user's scope, computed once per request object and cached on it."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from sportsplatform.accounts.models import Role
    from sportsplatform.regions.models import SCOPE_PREFIX_LENGTH

    memberships = list(
        user.memberships.filter(is_active=True, organisation__is_active=True).select_related("organisation__region")
    )
    roles = frozenset(m.role for m in memberships)
    if user.is_superuser or Role.PLATFORM_ADMIN in roles:
        scope = Scope(everything=True, roles=roles | {Role.PLATFORM_ADMIN})
    else:
        prefixes = sorted(
            {
                m.organisation.region.code[: SCOPE_PREFIX_LENGTH[m.organisation.region.level]]
                for m in memberships
                if m.role == Role.BUREAU_OFFICIAL
            }
        )
        orgs = frozenset(m.organisation_id for m in memberships if m.role != Role.BUREAU_OFFICIAL)
        scope = Scope(region_prefixes=_drop_nested(prefixes), organisation_ids=orgs, roles=roles)
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _drop_nested(prefixes: list[str]) -> tuple[str, ...]:
    kept: list[str] = []
    for p in sorted(prefixes, key=len):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return tuple(sorted(kept))


def visible_to(user, queryset: models.QuerySet) -> models.QuerySet:
    scope = scope_for(user)
    q = scope.q_for(queryset.model)
    return queryset if q is None else queryset.filter(q)


def editable_by(user, queryset: models.QuerySet) -> models.QuerySet:
    # Seeing and changing coincide today; kept apart so read-only roles can be added in one place.
    return visible_to(user, queryset)


def can_see(user, obj: models.Model) -> bool:
    return visible_to(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def can_change(user, obj: models.Model) -> bool:
    return editable_by(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def require_visible(user, queryset: models.QuerySet, **lookup) -> models.Model:
    """Fetch one object through the scope. Out-of-scope objects answer exactly like missing ones,
    so guessing ids in URLs tells nothing."""
    try:
        return visible_to(user, queryset).get(**lookup)
    except queryset.model.DoesNotExist:
        raise NotFound() from None


def regions_for(user, queryset=None) -> models.QuerySet:
    """Regions a user may assign records to."""
    from sportsplatform.regions.models import Region

    qs = queryset if queryset is not None else Region.objects.all()
    scope = scope_for(user)
    if scope.everything:
        return qs
    if not scope.region_prefixes:
        # Organisation staff may file records in their organisation's own region.
        from sportsplatform.accounts.models import Organisation
        from sportsplatform.regions.models import SCOPE_PREFIX_LENGTH

        # A city-level association files in any county of its city: match by the level's prefix
        # (510100 → 5101), as bureau scopes do, not by the full code.
        rows = Organisation.objects.filter(pk__in=scope.organisation_ids).values_list("region_id", "region__level")
        q = Q(pk__in=[])
        for code, level in set(rows):
            q |= Q(code__startswith=code[: SCOPE_PREFIX_LENGTH.get(level, len(code))])
        return qs.filter(q)
    q = Q(pk__in=[])
    for p in scope.region_prefixes:
        q |= Q(code__startswith=p)
    return qs.filter(q)
