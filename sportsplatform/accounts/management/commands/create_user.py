"""Create a staff (or public) account from the command line, e.g. the first platform admin:

manage.py create_user --username admin --password '...' --role platform_admin
manage.py create_user --username cd-official --password '...' --role bureau_official --region 510100
manage.py create_user --username op1 --password '...' --role operator_staff --organisation "成都体育中心运营公司"
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sportsplatform.core.errors import DomainError
from sportsplatform.regions.models import Region

from ...domain.users import create_organisation, create_user, grant_membership
from ...models import ROLE_FOR_KIND, Organisation, OrganisationKind, Role

PLATFORM_REGION = "510000"
PLATFORM_ORGANISATION_NAME = "四川省数字体育场馆平台"
KIND_FOR_ROLE = {role: kind for kind, role in ROLE_FOR_KIND.items()}


def _describe(exc: DomainError) -> str:
    details = "; ".join(f"{field}: {', '.join(map(str, msgs))}" for field, msgs in (exc.fields or {}).items())
    return f"{exc.message} ({details})" if details else str(exc.message)


class Command(BaseCommand):
    help = "Create an account and, with --role, its membership in the matching organisation."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--phone", default=None, help="Mainland mobile number (11 digits).")
        parser.add_argument("--display-name", default="")
        parser.add_argument("--role", default=None, help=f"One of: {', '.join(Role.values)}.")
        parser.add_argument("--region", default=None, help="GB/T 2260 code (bureau officials; new organisations).")
        parser.add_argument("--organisation", default=None, help="Organisation name (operator/institution/expert).")

    def handle(self, *args, **opts):
        role = opts["role"]
        if role is not None and role not in Role.values:
            raise CommandError(f"Unknown role {role!r}; choose one of: {', '.join(Role.values)}.")
        try:
            with transaction.atomic():
                user = create_user(
                    username=opts["username"],
                    password=opts["password"],
                    phone=opts["phone"],
                    display_name=opts["display_name"],
                )
                membership = None
                if role is not None:
                    organisation = self._organisation_for(role, region_code=opts["region"], name=opts["organisation"])
                    membership = grant_membership(user=user, organisation=organisation, role=role)
        except DomainError as exc:
            raise CommandError(_describe(exc)) from exc
        where = f" in {membership.organisation.name} ({membership.organisation.region_id})" if membership else ""
        self.stdout.write(self.style.SUCCESS(f"Created {user.username}{' as ' + role if role else ''}{where}."))

    def _region(self, code: str | None, *, required_for: str) -> Region:
        if not code:
            raise CommandError(f"--region is required for {required_for}.")
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise CommandError(f"Unknown region code {code!r} (load the divisions first, or check the code).")
        return region

    def _organisation_for(self, role: str, *, region_code: str | None, name: str | None) -> Organisation:
        if role == Role.PLATFORM_ADMIN:
            existing = Organisation.objects.filter(kind=OrganisationKind.PLATFORM).order_by("pk").first()
            if existing:
                return existing
            region = self._region(region_code or PLATFORM_REGION, required_for=role)
            return create_organisation(name=PLATFORM_ORGANISATION_NAME, kind=OrganisationKind.PLATFORM, region=region)
        if role == Role.BUREAU_OFFICIAL:
            region = self._region(region_code, required_for=role)
            # The bureau is named after its division: 成都市 → 成都市体育局.
            return create_organisation(name=f"{region.name}体育局", kind=OrganisationKind.BUREAU, region=region)
        if not name:
            raise CommandError(f"--organisation is required for {role}.")
        kind = KIND_FOR_ROLE[role]
        matches = Organisation.objects.filter(name=name, kind=kind)
        if region_code:
            matches = matches.filter(region_id=region_code)
        found = list(matches[:2])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise CommandError(f"Several organisations are named {name!r}; add --region to pick one.")
        if not region_code:
            raise CommandError(f"No {kind} organisation named {name!r}; add --region to create it.")
        region = self._region(region_code, required_for=role)
        return create_organisation(name=name, kind=kind, region=region)
