"""manage.py demo_logins: the demo logins as a table, with where to sign in."""

import unicodedata

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from sportsplatform.accounts.models import Role, User
from sportsplatform.backoffice.demo import DEMO_LOGINS, DEMO_PASSWORD
from sportsplatform.regions.models import Region


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "Print the demo logins (created by seed_demo) and where to use them."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="Where the site runs.")

    def handle(self, *args, base_url: str, **options):
        base_url = base_url.rstrip("/")
        existing = set(
            User.objects.filter(username__in=[d.username for d in DEMO_LOGINS]).values_list("username", flat=True)
        )
        regions = dict(
            Region.objects.filter(pk__in=[d.region_code for d in DEMO_LOGINS if d.region_code]).values_list(
                "code", "name"
            )
        )
        header = [_("username"), _("password"), _("role"), _("region"), _("sign in at")]
        rows = []
        for login in DEMO_LOGINS:
            role = str(Role(login.role).label) if login.role else _("public user")
            region = f"{regions.get(login.region_code, '')} {login.region_code}".strip() if login.region_code else "—"
            if login.phone and not login.role:
                region = _("phone %(phone)s") % {"phone": login.phone}
            where = f"{base_url}/admin/" if login.role else f"{base_url}/accounts/login/"
            if login.username not in existing:
                where = _("(not created yet: run manage.py seed_demo)")
            rows.append([login.username, DEMO_PASSWORD, role, region, where])
        widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        line = "+-" + "-+-".join("-" * w for w in widths) + "-+"
        self.stdout.write(_("Demo logins"))
        self.stdout.write(line)
        self.stdout.write("| " + " | ".join(_pad(str(h), w) for h, w in zip(header, widths, strict=True)) + " |")
        self.stdout.write(line)
        for row in rows:
            self.stdout.write("| " + " | ".join(_pad(str(c), w) for c, w in zip(row, widths, strict=True)) + " |")
        self.stdout.write(line)
        self.stdout.write(
            _("Website: %(site)s   Back office (staff): %(admin)s")
            % {"site": f"{base_url}/accounts/login/", "admin": f"{base_url}/admin/"}
        )
        self.stdout.write(
            _(
                "Staff sign in with username and password; the platform admin sets up an authenticator app "
                "on first sign-in."
            )
        )
