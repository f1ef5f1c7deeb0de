"""Demo data for `manage.py seed_demo`, built from steps that each app registers.

    # yourapp/apps.py
    def ready(self):
        from sportsplatform.backoffice.demo import register_seed_step
        from .demo import seed_venues
        register_seed_step(20, seed_venues)

    # yourapp/demo.py
    def seed_venues(ctx: SeedContext) -> None:
        operator = ctx.organisation("成都市体育中心管理有限公司")
        ...

Steps run in `order` (accounts and organisations are 10; take 20 and up), each in its own
transaction, and must be idempotent: look up before creating, so a second run adds nothing.
Writes go through the domain functions, like everything else. `ctx.rng` is a seeded
random.Random, so the demo data is the same on every machine.

The demo logins below are created only here: their password `demo12345` is too weak for the
password rules (3 of 4 character classes), which is why it is set without validation."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

DEMO_PASSWORD = "demo12345"  # noqa: S105 - the published demo password, refused by the password rules


@dataclass(frozen=True)
class DemoLogin:
    username: str
    display_name: str
    role: str  # a Role value, or "" for a public user
    organisation: str  # name of the organisation the role is held in ("" for the public user)
    region_code: str
    phone: str | None = None


# The documented demo logins (README, `manage.py demo_logins`).
DEMO_LOGINS = (
    DemoLogin("admin", "平台管理员", "platform_admin", "四川省数字体育场馆平台运营中心", "510000", "13800000001"),
    DemoLogin("sichuan", "王建国", "bureau_official", "四川省体育局", "510000", "13800000002"),
    DemoLogin("chengdu", "陈志强", "bureau_official", "成都市体育局", "510100", "13800000003"),
    DemoLogin("wuhou", "刘静", "bureau_official", "武侯区体育局", "510107", "13800000004"),
    DemoLogin("operator", "赵磊", "operator_staff", "成都市武侯区全民健身中心管理有限公司", "510107", "13800000005"),
    DemoLogin("yumao", "郑华", "institution_staff", "成都市羽毛球协会", "510100", "13900000107"),
    DemoLogin("youyong", "冯雷", "institution_staff", "武侯区青少年游泳培训中心", "510107", "13900000108"),
    DemoLogin("user", "李小雨", "", "", "", "13800000000"),
)
DEMO_USERNAMES = tuple(login.username for login in DEMO_LOGINS)


# --- the registry -----------------------------------------------------------------------------


@dataclass
class SeedContext:
    """What a step gets: a log function, a seeded random generator and lookups of the demo
    organisations and users created by earlier steps."""

    log: Callable[[str], None] = print
    rng: random.Random = field(default_factory=lambda: random.Random(20260101))  # noqa: S311 - demo data, not secrets

    def organisation(self, name: str):
        from sportsplatform.accounts.models import Organisation

        return Organisation.objects.get(name=name)

    def user(self, username: str):
        from sportsplatform.accounts.models import User

        return User.objects.get(username=username)

    def region(self, code: str):
        from sportsplatform.regions.models import Region

        return Region.objects.get(pk=code)


@dataclass(frozen=True)
class SeedStep:
    order: int
    name: str
    run: Callable[[SeedContext], None]


_STEPS: dict[str, SeedStep] = {}


def register_seed_step(order: int, fn: Callable[[SeedContext], None], *, name: str | None = None) -> None:
    """Add a step to `seed_demo`. Registering the same function again replaces it (ready() may
    run more than once in tests)."""
    name = name or f"{fn.__module__}.{fn.__qualname__}"
    _STEPS[name] = SeedStep(order=order, name=name, run=fn)


def seed_steps() -> list[SeedStep]:
    return sorted(_STEPS.values(), key=lambda step: (step.order, step.name))


def demo_data_exists() -> bool:
    from sportsplatform.accounts.models import User

    return User.objects.filter(username__in=DEMO_USERNAMES).exists()


def run_seed(*, log: Callable[[str], None] = print) -> list[str]:
    """Run every registered step in order; returns the names of the steps run."""
    ctx = SeedContext(log=log)
    done = []
    for step in seed_steps():
        with transaction.atomic():
            step.run(ctx)
        done.append(step.name)
        log(f"  ✓ {step.name}")
    return done


# --- step 10: regions needed, organisations, people ------------------------------------------

# Divisions the demo data needs. The regions app loads all of Sichuan and Chongqing by a data
# migration; these rows only fill in if that data is absent (same codes and names).
_REGIONS = [
    ("510000", "四川省", "province", None),
    ("500000", "重庆市", "province", None),
    ("510100", "成都市", "prefecture", "510000"),
    ("510104", "锦江区", "county", "510100"),
    ("510105", "青羊区", "county", "510100"),
    ("510106", "金牛区", "county", "510100"),
    ("510107", "武侯区", "county", "510100"),
    ("510108", "成华区", "county", "510100"),
    ("510112", "龙泉驿区", "county", "510100"),
    ("510700", "绵阳市", "prefecture", "510000"),
    ("510703", "涪城区", "county", "510700"),
    ("511100", "乐山市", "prefecture", "510000"),
    ("500103", "渝中区", "county", "500000"),
    ("500106", "沙坪坝区", "county", "500000"),
    ("500107", "九龙坡区", "county", "500000"),
]

# County-level bureaus in the demo (the prefecture-level ones are made for every prefecture).
_COUNTY_BUREAUS = ["510104", "510105", "510106", "510107", "510108", "510112", "510703", "500103", "500106"]

# (name, kind, region code, credit code, contact name, contact phone)
_ORGANISATIONS = [
    ("成都市武侯区全民健身中心管理有限公司", "operator", "510107", "91510107MA61XKQ31T", "赵磊", "028-85561234"),
    ("成都市体育中心管理有限公司", "operator", "510105", "91510105MA62R8TH4B", "周杰", "028-86652211"),
    ("凤凰山体育公园运营管理有限公司", "operator", "510106", "91510106MA6CN3UX0K", "孙悦", "028-83317788"),
    ("东安湖体育公园运营管理有限公司", "operator", "510112", "91510112MA6A9R2W5P", "何勇", "028-84889900"),
    ("锦江区社区运动中心运营有限公司", "operator", "510104", "91510104MA6D1L8K7E", "黄丽", "028-84453322"),
    ("绵阳市体育馆运营管理有限公司", "operator", "510703", "91510703MA6BQ2KX9R", "杨帆", "0816-2223344"),
    ("乐山市全民健身中心管理有限公司", "operator", "511100", "91511100MA68FQ1D3N", "罗婷", "0833-2134567"),
    ("重庆奥林匹克体育中心管理有限公司", "operator", "500107", "91500107MA5U7YH21C", "谭雪", "023-68521234"),
    ("重庆市渝中区大田湾体育场管理中心", "operator", "500103", "12500103MB1K2M3N4P", "邓超", "023-63851111"),
    ("四川省社会体育指导员协会", "institution", "510000", "51510000MJQ123456A", "吴敏", "028-86661122"),
    ("成都市羽毛球协会", "institution", "510100", "51510100MJR234567B", "郑华", "028-87776655"),
    ("武侯区青少年游泳培训中心", "institution", "510107", "52510107MJS345678C", "冯雷", "028-85012345"),
    ("四川省运动医学专家委员会", "expert_panel", "510000", "", "许晓峰", "028-86123456"),
]

# More people behind the scenes: (username, display name, phone, organisation or "", role or "")
_MORE_PEOPLE = [
    ("mianyang", "杨帆", "13900000101", "绵阳市体育局", "bureau_official"),
    ("chongqing", "黄婷", "13900000102", "重庆市体育局", "bureau_official"),
    ("jinjiang", "孙丽", "13900000103", "锦江区体育局", "bureau_official"),
    ("tiyuzhongxin", "周杰", "13900000104", "成都市体育中心管理有限公司", "operator_staff"),
    ("fenghuangshan", "孙悦", "13900000105", "凤凰山体育公园运营管理有限公司", "operator_staff"),
    ("aoti", "谭雪", "13900000106", "重庆奥林匹克体育中心管理有限公司", "operator_staff"),
    ("zhuanjia", "许晓峰", "13900000109", "四川省运动医学专家委员会", "expert"),
    ("u13900000201", "张伟", "13900000201", "", ""),
    ("u13900000202", "王芳", "13900000202", "", ""),
    ("u13900000203", "李娜", "13900000203", "", ""),
    ("u13900000204", "刘洋", "13900000204", "", ""),
    ("u13900000205", "陈静", "13900000205", "", ""),
]

PLATFORM_ORGANISATION = "四川省数字体育场馆平台运营中心"


def _bureau_name(region) -> str:
    name = region.name
    if name.endswith("自治州"):
        # 阿坝藏族羌族自治州 → 阿坝州体育局, as the bureaus call themselves.
        name = name[:2] + "州"
    return f"{name}体育局"


def _ensure_regions() -> None:
    from sportsplatform.regions.models import Region

    for code, name, level, parent in _REGIONS:
        Region.objects.get_or_create(code=code, defaults={"name": name, "level": level, "parent_id": parent})


def _ensure_user(*, username: str, display_name: str, phone: str | None, password: str | None):
    from sportsplatform.accounts.domain.users import create_user
    from sportsplatform.accounts.models import User

    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    if phone and User.objects.filter(phone=phone).exists():
        phone = None  # somebody registered that number for real; the demo account goes without
    return create_user(
        username=username,
        password=password,
        phone=phone,
        display_name=display_name,
        # demo12345 fails the password rules on purpose; this is the one place allowed to skip them.
        validate_password=False,
    )


def _ensure_membership(*, user, organisation, role: str) -> None:
    from sportsplatform.accounts.domain.users import grant_membership

    if not user.memberships.filter(organisation=organisation, role=role, is_active=True).exists():
        grant_membership(user=user, organisation=organisation, role=role)


def seed_accounts(ctx: SeedContext) -> None:
    """Organisations across Sichuan and Chongqing, the six demo logins and some colleagues."""
    from sportsplatform.accounts.domain.users import create_organisation
    from sportsplatform.accounts.models import OrganisationKind
    from sportsplatform.regions.models import Region, RegionLevel

    _ensure_regions()
    sichuan, chongqing = Region.objects.get(pk="510000"), Region.objects.get(pk="500000")

    create_organisation(name=PLATFORM_ORGANISATION, kind=OrganisationKind.PLATFORM, region=sichuan)
    create_organisation(name="四川省体育局", kind=OrganisationKind.BUREAU, region=sichuan)
    create_organisation(name="重庆市体育局", kind=OrganisationKind.BUREAU, region=chongqing)
    prefectures = Region.objects.filter(parent=sichuan, level=RegionLevel.PREFECTURE).current().order_by("code")
    for prefecture in prefectures:
        create_organisation(name=_bureau_name(prefecture), kind=OrganisationKind.BUREAU, region=prefecture)
    for region in Region.objects.filter(pk__in=_COUNTY_BUREAUS).order_by("code"):
        create_organisation(name=_bureau_name(region), kind=OrganisationKind.BUREAU, region=region)
    for name, kind, code, credit_code, contact_name, contact_phone in _ORGANISATIONS:
        create_organisation(
            name=name,
            kind=kind,
            region=Region.objects.get(pk=code),
            credit_code=credit_code,
            contact_name=contact_name,
            contact_phone=contact_phone,
        )
    bureaus = prefectures.count() + len(_COUNTY_BUREAUS) + 3
    ctx.log(f"    {bureaus} bureaus, {len(_ORGANISATIONS)} venue operators and institutions")

    for login in DEMO_LOGINS:
        user = _ensure_user(
            username=login.username, display_name=login.display_name, phone=login.phone, password=DEMO_PASSWORD
        )
        if login.role:
            _ensure_membership(user=user, organisation=ctx.organisation(login.organisation), role=login.role)
    for username, display_name, phone, organisation, role in _MORE_PEOPLE:
        # Colleagues sign in by SMS code (no password) until someone gives them one.
        user = _ensure_user(username=username, display_name=display_name, phone=phone, password=None)
        if role:
            _ensure_membership(user=user, organisation=ctx.organisation(organisation), role=role)
    ctx.log(f"    {len(DEMO_LOGINS)} demo logins (password {DEMO_PASSWORD}), {len(_MORE_PEOPLE)} more people")
