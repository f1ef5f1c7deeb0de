"""seed_demo step 70: a season of events across Sichuan, in every state an event can be in.

What the step makes (dates relative to today, so the demo always looks current):

- organisers: the Chengdu badminton association and the demo operator of backoffice/demo.py, and
  fictional local associations in Chengdu, Mianyang, Deyang, Leshan, Yibin, Nanchong, Luzhou,
  Panzhihua and Kangding (Garzê), each with a staff login that applies for their events;
- drafts, applications awaiting review (two in Chengdu: the demo official "chengdu" has a queue,
  one in Mianyang), a rejected application with the bureau's reason;
- published events with registration open: free and paid, one nearly full, one full with a
  waiting list, a team event; one whose registration has closed; one running now;
- a finished road race with published results, certificates and a summary with photos; a judged
  square-dance show whose chief judge closed the scoring (trimmed means and a ranking); a
  cancelled mountain race;
- the demo public user "user" registered for several of them (free, paid, waiting list, awaiting
  payment, a finished race with a certificate), so "my events" has something in every state.

How: applications are created, submitted and decided through events.domain.applications (and
approvals.review_application under it); sign-ups that happen now go through
events.domain.registrations.register and are paid through the sandbox cashier like a buyer does.
What cannot happen "now" — events that already took place, their registrations, scores and
results — is written as rows, each such place saying so. Pictures are drawn with Pillow
(`scene_jpeg`), nothing is downloaded.

Idempotent: an event is keyed by its title and organiser; a second run adds nothing.
`register()` also registers the events figures of the data screen (events/screen.py), since the
events registry imports this module on every start."""

from __future__ import annotations

import io
import random
import time as clock
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

STEP_ORDER = 70

# (name, kind, region, credit code, contact, phone, staff username, staff name, staff phone). Local
# associations are registered in a county: organisation staff file venue-less events (road races,
# river swims) only in their organisation's own region (core.scoping.regions_for).
ORGANISERS = [
    ("成都市田径运动协会", "institution", "510107", "51510100MJT456789D", "陈晓东", "028-86115566",
     "tianxie", "陈晓东", "13900000301"),
    ("绵阳市全民健身协会", "institution", "510703", "51510700MJU567890E", "何丽", "0816-2338899",
     "myjianshen", "何丽", "13900000302"),
    ("德阳市旌阳区羽毛球协会", "institution", "510603", "51510603MJV678901F", "罗浩", "0838-2201188",
     "dyyumao", "罗浩", "13900000303"),
    ("乐山市市中区路跑协会", "institution", "511102", "51511102MJW789012G", "唐静", "0833-2456677",
     "lsluopao", "唐静", "13900000304"),
    ("宜宾市翠屏区龙舟协会", "institution", "511502", "51511502MJX890123H", "蒋涛", "0831-8223344",
     "ybls", "蒋涛", "13900000305"),
    ("南充市顺庆区游泳协会", "institution", "511302", "51511302MJY901234J", "杜明", "0817-2667788",
     "ncyy", "杜明", "13900000306"),
    ("泸州市江阳区职工体育协会", "institution", "510502", "51510502MJZ012345K", "曾艳", "0830-3112233",
     "lzzg", "曾艳", "13900000307"),
    ("攀枝花市东区马拉松协会", "institution", "510402", "51510402MK0123456L", "余超", "0812-3334455",
     "pzhma", "余超", "13900000308"),
    ("康定市户外运动协会", "institution", "513301", "51513301MK1234567M", "叶平", "0836-2815566",
     "kdhw", "叶平", "13900000309"),
    ("成华区广场舞协会", "institution", "510108", "51510108MK2345678N", "苏霞", "028-84331122",
     "chgcw", "苏霞", "13900000310"),
    ("成都市羽毛球协会", "institution", "510100", "", "", "", "yumao", "郑华", "13900000107"),
    ("成都市武侯区全民健身中心管理有限公司", "operator", "510107", "", "", "", "operator", "赵磊", "13800000005"),
]  # fmt: skip

# Judges of the judged event (public accounts; judging is by assignment, not by role).
JUDGING_PANEL = "成都市广场舞运动裁判委员会"
JUDGES = [("judge_liu", "刘芳", "13900000311"), ("judge_he", "何建平", "13900000312"),
          ("judge_tang", "唐晓玲", "13900000313"), ("judge_xie", "谢志军", "13900000314"),
          ("judge_yuan", "袁梅", "13900000315")]  # fmt: skip

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈"
GIVEN = [
    "伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
    "霞", "平", "刚", "桂英", "丹", "玲", "建华", "晓东", "海燕", "雪", "浩然", "思雨", "子涵", "一鸣", "欣怡",
]  # fmt: skip
PLAYERS = 48  # public accounts who fill the events (demo_player01…)

REFUND_TIERS = [{"hours_before": 168, "percent": 100}, {"hours_before": 48, "percent": 50}]


@dataclass
class GroupSpec:
    name: str
    quota: int
    fee: str | None = None
    min_age: int | None = None
    max_age: int | None = None
    team_min: int = 1
    team_max: int = 1
    waitlist_limit: int = 0


@dataclass
class EventSpec:
    title: str
    organiser: str
    county: str  # county-level region code (the reviewing bureau's chain)
    sport: str
    state: str  # draft submitted rejected open closed ongoing finished judged cancelled
    days: int  # first day, from today
    venue: str = ""  # a demo venue's name, or "" for a place outside a venue
    location: str = ""
    hours: int = 5
    level: str = "community"
    fee: str = "0.00"
    groups: list[GroupSpec] = field(default_factory=list)
    entry_mode: str = "individual"
    result_kind: str = "placing"
    fill: dict[str, int] = field(default_factory=dict)  # group name -> entries by demo players
    waitlist: int = 0  # players on the first group's waiting list
    me: str = ""  # the demo user's entry: "" none, or the group's name
    me_pays: bool = True  # False: the demo user leaves the order unpaid (awaiting payment)
    reason: str = ""  # rejection or cancellation reason
    expected: int = 0
    description: str = ""


SEASON = [
    # --- applications -----------------------------------------------------------------------
    EventSpec(
        "锦江区社区三人篮球联赛", "成都市武侯区全民健身中心管理有限公司", "510104", "basketball", "draft", 45,
        venue="锦江区东湖社区运动中心", groups=[GroupSpec("男子组", 32, team_min=3, team_max=4),
                                                 GroupSpec("女子组", 16, team_min=3, team_max=4)],
        entry_mode="team", fee="200.00", expected=200,
        description="社区三人篮球联赛，每队3至4人，小组循环后淘汰。",
    ),
    EventSpec(
        "涪城区全民健身乒乓球公开赛", "绵阳市全民健身协会", "510703", "table_tennis", "draft", 60,
        venue="绵阳市体育馆", groups=[GroupSpec("男子单打", 64), GroupSpec("女子单打", 48)], fee="50.00",
        expected=110, description="面向绵阳市乒乓球爱好者的公开赛，单打淘汰制。",
    ),
    EventSpec(
        "成都市青少年羽毛球锦标赛", "成都市羽毛球协会", "510106", "badminton", "submitted", 35,
        venue="凤凰山体育公园", groups=[GroupSpec("U12组", 48, min_age=8, max_age=12),
                                           GroupSpec("U16组", 48, min_age=13, max_age=16)],
        fee="80.00", level="city", expected=96,
        description="成都市青少年羽毛球年度锦标赛，分U12、U16两个年龄组。",
    ),
    EventSpec(
        "东安湖环湖健步走", "成都市田径运动协会", "510112", "athletics", "submitted", 28,
        venue="东安湖体育公园", groups=[GroupSpec("健步走5公里", 800)], expected=800,
        description="环东安湖5公里健步走，倡导全民健身、绿色出行。",
    ),
    EventSpec(
        "科技城职工气排球赛", "绵阳市全民健身协会", "510703", "volleyball", "submitted", 40,
        venue="绵阳市体育馆", groups=[GroupSpec("混合组", 24, team_min=6, team_max=10)], entry_mode="team",
        fee="300.00", expected=200, description="绵阳科技城企事业单位职工气排球比赛。",
    ),
    EventSpec(
        "武侯区夜跑嘉年华", "成都市田径运动协会", "510107", "athletics", "rejected", 30,
        location="武侯区桐梓林至玉林沿线", groups=[GroupSpec("夜跑8公里", 2000)], fee="60.00",
        expected=2000, reason="活动路线经过主城区道路，未提供交通管制方案和安全保障预案，请补充后重新提交。",
        description="沿城市中轴线的8公里夜跑，终点设音乐派对。",
    ),
    # --- published, registration open ----------------------------------------------------------
    EventSpec(
        "武侯区全民健身日健步走", "成都市武侯区全民健身中心管理有限公司", "510107", "athletics", "open", 16,
        venue="武侯区全民健身中心", groups=[GroupSpec("健步走3公里", 300)], fill={"健步走3公里": 6},
        me="健步走3公里", expected=300, description="免费参加，完成3公里健步走即可领取纪念品。",
    ),
    EventSpec(
        "天府绿道城市半程马拉松", "成都市田径运动协会", "510107", "athletics", "open", 24, level="city",
        location="武侯区江安河绿道", hours=5, fee="120.00",
        groups=[GroupSpec("半程马拉松", 400, min_age=18, max_age=65), GroupSpec("10公里", 300, fee="80.00", min_age=16),
                GroupSpec("亲子跑3公里", 100, fee="60.00")],
        fill={"半程马拉松": 4, "10公里": 3}, me="10公里", result_kind="time", expected=800,
        description="沿江安河绿道的半程马拉松，设半程、10公里和亲子跑三个项目。",
    ),
    EventSpec(
        "德阳市羽毛球业余联赛", "德阳市旌阳区羽毛球协会", "510603", "badminton", "open", 20,
        location="德阳市旌阳区全民健身中心羽毛球馆", groups=[GroupSpec("公开组", 8, fee="90.00")],
        fill={"公开组": 6}, me="公开组", me_pays=False, expected=16,
        description="德阳市业余羽毛球爱好者联赛，名额有限，报满即止。",
    ),
    EventSpec(
        "乐山大佛亲子趣味跑", "乐山市市中区路跑协会", "511102", "athletics", "open", 18,
        venue="乐山市全民健身中心", groups=[GroupSpec("亲子家庭组", 6, waitlist_limit=10)],
        fill={"亲子家庭组": 6}, waitlist=2, me="亲子家庭组", expected=6,
        description="家长与孩子一起完成2公里趣味跑，沿途设置亲子游戏关卡。",
    ),
    EventSpec(
        "宜宾三江口龙舟邀请赛", "宜宾市翠屏区龙舟协会", "511502", "swimming", "open", 30, level="city",
        location="宜宾市翠屏区三江口水域", groups=[GroupSpec("标准龙舟组", 12, team_min=12, team_max=16)],
        entry_mode="team", fee="600.00", expected=180, description="22人标准龙舟500米直道竞速，以队为单位报名。",
    ),
    EventSpec(
        "绵阳科技城乒乓球公开赛", "绵阳市全民健身协会", "510703", "table_tennis", "open", 22,
        venue="绵阳市体育馆", groups=[GroupSpec("公开组", 64, fee="40.00")], fill={"公开组": 3}, expected=64,
        description="面向绵阳市民的乒乓球公开赛。",
    ),
    # --- published, later stages ----------------------------------------------------------------
    EventSpec(
        "南充嘉陵江公开水域游泳挑战赛", "南充市顺庆区游泳协会", "511302", "swimming", "closed", 5,
        location="南充市顺庆区嘉陵江滨江段", groups=[GroupSpec("1500米", 150, min_age=18)], fill={"1500米": 10},
        expected=150, description="嘉陵江1500米公开水域游泳，须持游泳能力证明报名。",
    ),
    EventSpec(
        "泸州市职工篮球联赛", "泸州市江阳区职工体育协会", "510502", "basketball", "ongoing", -2, hours=24 * 6,
        location="泸州市江阳区体育馆", groups=[GroupSpec("职工组", 12, team_min=8, team_max=12)],
        entry_mode="team", fill={"职工组": 8}, expected=120, description="泸州市企事业单位职工篮球联赛，为期一周。",
    ),
    EventSpec(
        "攀枝花阳光康养半程马拉松", "攀枝花市东区马拉松协会", "510402", "athletics", "finished", -24,
        level="provincial", location="攀枝花市东区金沙江畔", groups=[GroupSpec("半程马拉松", 300),
                                                                      GroupSpec("健康跑5公里", 200)],
        fill={"半程马拉松": 16, "健康跑5公里": 8}, me="半程马拉松", result_kind="time", expected=500,
        description="公益赛事，免报名费。沿金沙江畔的半程马拉松和5公里健康跑。",
    ),
    EventSpec(
        "成都市广场舞展演大赛", "成华区广场舞协会", "510108", "dance", "judged", -10, level="city",
        location="成华区猛追湾广场", groups=[GroupSpec("中老年组", 20, team_min=8, team_max=20)],
        entry_mode="team", result_kind="judged", fill={"中老年组": 8}, expected=160,
        description="公益展演，五位评委打分，去掉一个最高分和一个最低分后取平均分。",
    ),
    EventSpec(
        "甘孜康定情歌山地越野赛", "康定市户外运动协会", "513301", "athletics", "cancelled", 26,
        level="provincial", location="甘孜州康定市跑马山", fee="150.00",
        groups=[GroupSpec("越野25公里", 300, min_age=18)],
        fill={"越野25公里": 3}, expected=300,
        reason="受持续降雨和山体滑坡风险影响，赛事取消，报名费全额退还。",
        description="海拔2600米至3400米的25公里山地越野。",
    ),
]  # fmt: skip

# The finished race's summary and its photos' captions.
SUMMARY = (
    "本届攀枝花阳光康养半程马拉松共有来自省内外的选手参赛，赛道沿金沙江畔展开，"
    "全程设置5个补给站和3个医疗点，赛事顺利完成，无安全事故。感谢志愿者和沿线市民的支持。"
)
PHOTO_CAPTIONS = ["起跑", "金沙江畔赛道", "补给站志愿者", "冲过终点", "颁奖仪式"]


# --- registration --------------------------------------------------------------------------------


def register() -> None:
    from sportsplatform.backoffice.demo import register_seed_step

    from . import screen

    register_seed_step(STEP_ORDER, seed_events, name="events")
    screen.register()


# --- the step ------------------------------------------------------------------------------------


def seed_events(ctx) -> None:
    from .models import Event

    started = clock.perf_counter()
    if not _regions_present():
        ctx.log("    no county divisions: skipped (the regions data migration has not run)")
        return
    organisers = demo_organisers(ctx)
    players = demo_players()
    made = []
    for spec in SEASON:
        org, staff = organisers[spec.organiser]
        if Event.objects.filter(title=spec.title, organiser=org).exists():
            continue
        event = _build(ctx, spec, org=org, staff=staff, players=players)
        made.append(f"{spec.state} {event.pk}")
    if made:
        ctx.log(f"    {len(made)} events: " + ", ".join(made))
    else:
        ctx.log("    demo events already present")
    ctx.log(f"    events step took {clock.perf_counter() - started:.1f}s")


def _regions_present() -> bool:
    from sportsplatform.regions.models import Region

    return Region.objects.filter(pk__in=[s.county for s in SEASON]).count() == len({s.county for s in SEASON})


def ensure_user(username: str, display_name: str, phone: str):
    from sportsplatform.accounts.domain.users import create_user
    from sportsplatform.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    if User.objects.filter(phone=phone).exists():
        phone = None
    return create_user(username=username, phone=phone, display_name=display_name)


def demo_organisers(ctx) -> dict:
    """The demo organisers (made if missing) as {name: (organisation, staff user)}."""
    from sportsplatform.accounts.domain.users import create_organisation, grant_membership
    from sportsplatform.accounts.models import Organisation

    out = {}
    for name, kind, region, credit, contact, phone, username, staff_name, staff_phone in ORGANISERS:
        org = Organisation.objects.filter(name=name).order_by("pk").first()
        if org is None:
            org = create_organisation(name=name, kind=kind, region=ctx.region(region), credit_code=credit,
                                      contact_name=contact, contact_phone=phone)  # fmt: skip
        staff = ensure_user(username, staff_name, staff_phone)
        if not staff.memberships.filter(organisation=org, is_active=True).exists():
            grant_membership(user=staff, organisation=org)
        out[name] = (org, staff)
    return out


def person_name(i: int) -> str:
    return SURNAMES[(i * 7) % len(SURNAMES)] + GIVEN[(i * 5) % len(GIVEN)]


def demo_players() -> list:
    """The public accounts who fill events and courses (demo_player01…)."""
    return [ensure_user(f"demo_player{i:02d}", person_name(i), f"1370000{i:04d}") for i in range(1, PLAYERS + 1)]


def id_number(i: int, *, birth_year: int) -> str:
    """A resident ID number with a correct check character (GB 11643), born in `birth_year`."""
    from sportsplatform.core.idnumbers import check_character

    first17 = f"510107{birth_year:04d}{(i % 12) + 1:02d}{(i % 27) + 1:02d}{100 + i % 900:03d}"
    return first17 + check_character(first17)


def _at(day_offset: int, hour: int = 8):
    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _venue(spec: EventSpec):
    from sportsplatform.venues.models import Venue

    if not spec.venue:
        return None
    return Venue.objects.filter(name=spec.venue, is_published=True).order_by("pk").first()


def _window(spec: EventSpec, starts):
    """Registration window per state: open now, closed yesterday, or long past."""
    now = timezone.now()
    if spec.state in ("open", "draft", "submitted", "rejected", "cancelled"):
        opens = now - timedelta(days=7)
        if spec.state in ("draft", "submitted", "rejected"):
            opens = now + timedelta(days=3)
        return opens, starts - timedelta(days=2)
    return starts - timedelta(days=40), min(now - timedelta(days=1), starts - timedelta(days=2))


def _fields() -> list[dict]:
    return [
        {"key": "id_number", "label": "身份证号", "kind": "id_number", "required": True, "position": 0},
        {"key": "phone", "label": "手机号", "kind": "phone", "required": True, "position": 1},
        {"key": "emergency", "label": "紧急联系人", "kind": "emergency", "required": True, "position": 2,
         "help_text": "姓名和手机号"},
        {"key": "shirt", "label": "T恤尺码", "kind": "choice", "required": False, "position": 3,
         "choices": ["S", "M", "L", "XL", "XXL"]},
    ]  # fmt: skip


def _event_data(spec: EventSpec, *, ctx, venue) -> dict:
    from sportsplatform.venues.models import Sport

    starts = _at(spec.days)
    opens, closes = _window(spec, starts)
    return {
        "title": spec.title,
        "sport": Sport.objects.get(code=spec.sport),
        "level": spec.level,
        "venue": venue,
        "region": venue.region if venue is not None else ctx.region(spec.county),
        "location": spec.location or (venue.address if venue is not None else spec.venue),
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=spec.hours),
        "registration_opens_at": opens,
        "registration_closes_at": closes,
        "expected_participants": spec.expected,
        "entry_mode": spec.entry_mode,
        "fee": Decimal(spec.fee),
        "refund_tiers": REFUND_TIERS if Decimal(spec.fee) > 0 else [],
        "description": spec.description,
        "rules": "参赛选手须身体健康，赛前签署安全承诺书；比赛按国家体育总局最新审定的竞赛规则执行。",
        "contact_name": "赛事组委会",
        "contact_phone": "028-86001234",
        "result_kind": spec.result_kind,
        "groups": [
            {
                "name": g.name,
                "quota": g.quota,
                "fee": Decimal(g.fee) if g.fee is not None else None,
                "min_age": g.min_age,
                "max_age": g.max_age,
                "team_min": g.team_min,
                "team_max": g.team_max,
                "waitlist_limit": g.waitlist_limit,
                "position": i,
            }
            for i, g in enumerate(spec.groups)
        ],
        "fields": _fields(),
    }


def _reviewer(ctx, event):
    """The official who decides: Chengdu's for Chengdu, Mianyang's for Mianyang, else the province's."""
    code = event.region_id
    if code.startswith("5101"):
        return ctx.user("chengdu")
    if code.startswith("5107"):
        return ctx.user("mianyang")
    return ctx.user("sichuan")


def _build(ctx, spec: EventSpec, *, org, staff, players):
    from .domain.applications import approve_event, cancel_event, create_event, reject_event, submit_event

    venue = _venue(spec)
    data = _event_data(spec, ctx=ctx, venue=venue)
    # Applications and events whose sign-up runs now are made as an organiser makes them today.
    future = spec.state in ("draft", "submitted", "rejected", "open", "cancelled")
    if future:
        event = create_event(actor=staff, organiser=org, data=data)
    else:
        # A past event's application cannot be made today (its dates have gone): written as rows.
        event = _write_event(data, organiser=org, actor=staff)
    _add_cover(event, seed=len(spec.title) * 31 + spec.days)
    if spec.state == "draft":
        return event
    if future:
        submit_event(event=event, actor=staff)
        if spec.state == "submitted":
            return event
        if spec.state == "rejected":
            reject_event(event=event, actor=_reviewer(ctx, event), comment=spec.reason)
            return event
        approve_event(event=event, actor=_reviewer(ctx, event), comment="材料齐全，同意举办。请落实安全保障措施。")
    else:
        _approved_in_the_past(event, staff=staff, reviewer=_reviewer(ctx, event))
    event.refresh_from_db()
    if spec.state in ("open", "cancelled"):
        _sign_up_now(ctx, spec, event, players)
        if spec.state == "cancelled":
            cancel_event(event=event, actor=staff, reason=spec.reason)
    else:
        _past_entries(ctx, spec, event, players)
        if spec.state == "finished":
            _results_and_certificates(ctx, event, staff)
            _summary(event, staff, spec)
        elif spec.state == "judged":
            _judging(ctx, event, staff)
    return event


def _write_event(data: dict, *, organiser, actor):
    from sportsplatform.core import audit

    from .models import Event, EventGroup, RegistrationField

    data = dict(data)
    groups, fields = data.pop("groups"), data.pop("fields")
    event = Event.objects.create(organiser=organiser, created_by=actor, **data)
    EventGroup.objects.bulk_create([EventGroup(event=event, **g) for g in groups])
    RegistrationField.objects.bulk_create([RegistrationField(event=event, **f) for f in fields])
    audit.record(action="events.event.created", actor=actor, obj=event, demo_history=True)
    return event


def _approved_in_the_past(event, *, staff, reviewer):
    """History: the application was submitted and approved weeks before the event. The review
    steps are written as rows dated then (the review workflow only acts "now")."""
    from django.contrib.contenttypes.models import ContentType

    from sportsplatform.approvals.models import ApprovalAction, ApprovalStatus, ApprovalStep

    submitted = event.registration_opens_at - timedelta(days=12)
    decided = submitted + timedelta(days=3)
    type(event).objects.filter(pk=event.pk).update(
        status=ApprovalStatus.APPROVED, submitted_at=submitted, decided_at=decided, decided_by=reviewer,
        decision_comment="同意举办。",
    )  # fmt: skip
    content_type = ContentType.objects.get_for_model(type(event))
    for action, before, after, actor, at, comment in (
        (ApprovalAction.SUBMITTED, ApprovalStatus.DRAFT, ApprovalStatus.SUBMITTED, staff, submitted, ""),
        (ApprovalAction.APPROVED, ApprovalStatus.SUBMITTED, ApprovalStatus.APPROVED, reviewer, decided, "同意举办。"),
    ):
        step = ApprovalStep.objects.create(
            content_type=content_type, object_id=event.pk, action=action, from_status=before, to_status=after,
            actor=actor, comment=comment,
        )  # fmt: skip
        ApprovalStep.objects.filter(pk=step.pk).update(at=at)


def answers_for(i: int, *, event) -> dict:
    """Sign-up answers of player `i`, of an age that fits every demo group (born 1988–1995)."""
    return {
        "id_number": id_number(i, birth_year=1988 + i % 8),
        "phone": f"1370000{i:04d}",
        "emergency": {"name": person_name(i + 100), "phone": f"1380000{i:04d}"},
        "shirt": ["S", "M", "L", "XL"][i % 4],
    }


def _members(spec: EventSpec, group, i: int) -> tuple[str, list[dict]]:
    if spec.entry_mode != "team":
        return "", []
    size = max(group.team_min, min(group.team_max, group.team_min + i % 3)) - 1
    members = [{"name": person_name(i * 10 + k), "answers": {}} for k in range(size)]
    return f"{person_name(i)[0]}家{['战队', '联队', '之队', '队'][i % 4]}{i}", members


def _sign_up_now(ctx, spec: EventSpec, event, players):
    """Registrations that happen now, through events.domain.registrations.register; paid orders
    are paid through the sandbox cashier (the demo user's one in the Deyang league stays unpaid)."""
    from .domain.registrations import register as register_fn

    groups = {g.name: g for g in event.groups.all()}
    n = 0
    wanted = [(name, count) for name, count in spec.fill.items()]
    first_group = spec.groups[0].name
    if spec.waitlist:
        wanted.append((first_group, spec.waitlist))
    me = ctx.user("user")
    for name, count in wanted:
        group = groups[name]
        for _k in range(count):
            player = players[(n + len(spec.title)) % len(players)]
            idx = (n + len(spec.title)) % len(players) + 1
            n += 1
            team, members = _members(spec, group, idx)
            reg = register_fn(event=event, group=group, user=player, participant_name=player.display_name,
                              answers=answers_for(idx, event=event), team_name=team, members=members,
                              actor=player, idempotency_key=f"demo-event-{event.pk}-{player.pk}")  # fmt: skip
            _pay_if_due(reg, player)
    if spec.me:
        group = groups[spec.me]
        team, members = _members(spec, group, 0)
        reg = register_fn(event=event, group=group, user=me, participant_name=me.display_name or "李小雨",
                          answers=answers_for(0, event=event), team_name=team, members=members, actor=me,
                          idempotency_key=f"demo-event-{event.pk}-{me.pk}")  # fmt: skip
        if spec.me_pays:
            _pay_if_due(reg, me)


def _pay_if_due(registration, user):
    from sportsplatform.core.signups import SignupStatus

    if registration.status == SignupStatus.PENDING_PAYMENT and registration.order is not None:
        pay_with_sandbox(registration.order, user)


def pay_with_sandbox(order, user) -> None:
    """Pay `order` as a buyer does: start the payment, confirm on the sandbox cashier, and the
    gateway's signed callback (delivered in-process so the step can go on) captures it."""
    from sportsplatform.orders.models import OrderStatus
    from sportsplatform.payments import sandbox
    from sportsplatform.payments.domain.pay import start_payment
    from sportsplatform.payments.models import SandboxTrade

    if order.status != OrderStatus.PENDING_PAYMENT:
        return
    payment = start_payment(order=order, method="sandbox", actor=user, request_info={"ip": "127.0.0.1"})
    if payment is None:  # nothing to pay: paid at once
        return
    trade = SandboxTrade.objects.get(out_trade_no=payment.out_trade_no)
    sandbox.pay_trade(token=trade.token)
    sandbox.deliver("payment", trade.pk)


def _past_entries(ctx, spec: EventSpec, event, players):
    """History: entries of an event whose registration has closed. They were made weeks ago, when
    sign-up was open; written as confirmed rows with the places counted on the group by the same
    conditional UPDATE sign-ups use. These demo events are free (公益赛事), so no money was due."""
    from sportsplatform.core.signups import SignupStatus, take_place

    from .models import EventGroup, Registration

    me = ctx.user("user")
    groups = {g.name: g for g in event.groups.all()}
    made_at = event.registration_opens_at + timedelta(days=2)
    rows = []
    n = 0
    entries = [(name, count) for name, count in spec.fill.items()]
    for name, count in entries:
        group = groups[name]
        for _k in range(count):
            idx = (n + len(spec.title)) % len(players)
            player = players[idx]
            n += 1
            team, members = _members(spec, group, idx + 1)
            rows.append(Registration(event=event, group=group, user=player, status=SignupStatus.CONFIRMED,
                                     participant_name=player.display_name, team_name=team, members=members,
                                     answers=answers_for(idx + 1, event=event), confirmed_at=made_at,
                                     bib=f"{group.position + 1}{len(rows) + 1:03d}"))  # fmt: skip
    if spec.me:
        group = groups[spec.me]
        rows.append(Registration(event=event, group=group, user=me, status=SignupStatus.CONFIRMED,
                                 participant_name=me.display_name or "李小雨", answers=answers_for(0, event=event),
                                 confirmed_at=made_at, bib=f"{group.position + 1}{len(rows) + 1:03d}"))  # fmt: skip
    Registration.objects.bulk_create(rows)
    per_group: dict[int, int] = {}
    for row in rows:
        per_group[row.group_id] = per_group.get(row.group_id, 0) + 1
    for group_id, count in sorted(per_group.items()):
        if not take_place(EventGroup, group_id, count):
            raise RuntimeError(f"demo event group {group_id} has fewer than {count} places")
    Registration.objects.filter(event=event).update(created_at=made_at)


def _format_time(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _results_and_certificates(ctx, event, staff):
    """The organiser enters the finishing times, publishes them and issues a certificate to every
    finisher, through events.domain.results and .certificates (placings are computed there)."""
    from .domain.certificates import issue_certificates
    from .domain.results import ResultInput, publish_results, save_results
    from .models import Registration

    rng = random.Random(event.pk)  # noqa: S311 - demo times
    rows = []
    for reg in Registration.objects.filter(event=event).select_related("group").order_by("pk"):
        base = 5400 if "半程" in reg.group.name else 1500
        rows.append(ResultInput(reg.pk, value=_format_time(base + rng.randint(0, base // 2))))
    save_results(event=event, actor=staff, rows=rows)
    publish_results(event=event, actor=staff)
    issue_certificates(event=event, actor=staff)


def _summary(event, staff, spec: EventSpec):
    """The organiser's summary and photos of the finished race (events.domain.summary)."""
    from .domain.summary import add_media, publish_summary, save_summary

    save_summary(event=event, actor=staff, text=SUMMARY)
    for position, caption in enumerate(PHOTO_CAPTIONS):
        picture = scene_jpeg(sport=spec.sport, seed=event.pk * 10 + position, people=8 + position * 2)
        add_media(
            event=event, actor=staff, file=ContentFile(picture, name=f"photo-{position + 1}.jpg"), caption=caption
        )
    event.refresh_from_db()
    publish_summary(event=event, actor=staff)


def _judges(ctx):
    """The judging panel: staff of an expert panel (judges are back-office users)."""
    from sportsplatform.accounts.domain.users import create_organisation, grant_membership
    from sportsplatform.accounts.models import Organisation, OrganisationKind

    panel = Organisation.objects.filter(name=JUDGING_PANEL).order_by("pk").first()
    if panel is None:
        panel = create_organisation(name=JUDGING_PANEL, kind=OrganisationKind.EXPERT_PANEL, region=ctx.region("510100"))
    judges = []
    for username, name, phone in JUDGES:
        judge = ensure_user(username, name, phone)
        if not judge.memberships.filter(organisation=panel, is_active=True).exists():
            grant_membership(user=judge, organisation=panel)
            judge.refresh_from_db()
        judges.append(judge)
    return judges


def _judging(ctx, event, staff):
    """The organiser names five judges (the first chief), each scores every team through
    events.domain.judging, and the chief judge closes the scoring: the highest and the lowest
    score are dropped, the mean of the rest ranks the teams and the results are published."""
    from .domain.certificates import issue_certificate
    from .domain.judging import assign_judge, close_scoring, submit_score
    from .models import Registration

    judges = _judges(ctx)
    for i, judge in enumerate(judges):
        assign_judge(event=event, judge=judge, actor=staff, is_chief=(i == 0))
    rng = random.Random(event.pk)  # noqa: S311 - demo scores
    regs = list(Registration.objects.filter(event=event).order_by("pk"))
    for reg in regs:
        level = rng.uniform(8.0, 9.4)
        for judge in judges:
            value = Decimal(str(round(min(10.0, level + rng.uniform(-0.4, 0.4)), 2)))
            submit_score(event=event, judge=judge, registration=reg, value=value)
    event.refresh_from_db()
    results = close_scoring(event=event, actor=judges[0])
    event.refresh_from_db()
    for result in sorted(results, key=lambda r: r.placing or 0)[:3]:
        issue_certificate(registration=result.registration, actor=staff)


def _add_cover(event, *, seed: int) -> None:
    picture = scene_jpeg(sport=event.sport.code, seed=seed)
    event.cover.save(f"event-{event.pk}.jpg", ContentFile(picture), save=False)
    type(event).objects.filter(pk=event.pk).update(cover=event.cover.name)


# --- pictures ------------------------------------------------------------------------------------
# Small scenes drawn with Pillow (covers, summary photos, coach portraits): nothing is downloaded
# and the same picture comes out on every machine.

PALETTES = {
    "athletics": ((120, 180, 230), (196, 92, 62), (255, 255, 255)),
    "swimming": ((150, 205, 240), (40, 130, 200), (255, 255, 255)),
    "badminton": ((235, 240, 245), (60, 150, 110), (250, 220, 90)),
    "basketball": ((245, 235, 220), (205, 140, 70), (60, 60, 60)),
    "football": ((140, 195, 235), (70, 160, 80), (255, 255, 255)),
    "table_tennis": ((230, 235, 245), (40, 90, 160), (250, 250, 250)),
    "dance": ((250, 215, 200), (200, 70, 110), (255, 235, 120)),
    "martial_arts": ((245, 230, 210), (170, 50, 40), (250, 210, 90)),
    "volleyball": ((160, 210, 240), (230, 200, 140), (30, 90, 170)),
    "yoga": ((225, 235, 220), (130, 170, 120), (250, 250, 240)),
}


def scene_jpeg(*, sport: str, seed: int, size: tuple[int, int] = (640, 360), people: int = 6) -> bytes:
    """Sky, hills, lanes in the sport's colours and a few figures, as a JPEG of a few kilobytes."""
    from PIL import Image, ImageDraw

    sky, ground, accent = PALETTES.get(sport, PALETTES["athletics"])
    rng = random.Random(seed)  # noqa: S311 - picture layout, not a secret
    width, height = size
    image = Image.new("RGB", size, sky)
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.5, 0.62))
    for layer in range(3):
        shade = tuple(max(0, min(255, c - 25 * (layer + 1) + rng.randint(-10, 10))) for c in (110, 150, 120))
        points = [(0, horizon)] + [(x, horizon - rng.randint(10, 60) + layer * 12) for x in range(0, width + 80, 80)]
        draw.polygon([*points, (width, horizon)], fill=shade)
    draw.rectangle((0, horizon, width, height), fill=ground)
    for lane in range(1, 6):
        y = horizon + lane * (height - horizon) // 6
        draw.line((0, y, width, y + rng.randint(-6, 6)), fill=accent, width=2)
    sun_x, sun_y = rng.randint(width // 2, width - 60), rng.randint(30, max(31, horizon // 2))
    draw.ellipse((sun_x - 26, sun_y - 26, sun_x + 26, sun_y + 26), fill=(255, 226, 120))
    for _ in range(people):
        x, y = rng.randint(30, width - 30), rng.randint(horizon + 20, height - 20)
        scale = 0.6 + (y - horizon) / (height - horizon)
        shirt = rng.choice([(220, 60, 60), (40, 120, 220), (250, 180, 30), (60, 170, 90), (150, 80, 200)])
        body_h, body_w, head = int(34 * scale), int(14 * scale), int(8 * scale)
        draw.rectangle((x - body_w // 2, y - body_h, x + body_w // 2, y), fill=shirt)
        draw.ellipse((x - head, y - body_h - 2 * head, x + head, y - body_h), fill=(240, 200, 170))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=78, optimize=True)
    return out.getvalue()


def portrait_jpeg(*, seed: int, size: int = 240) -> bytes:
    """A plain head-and-shoulders silhouette on a coloured ground (a coach's photo)."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)  # noqa: S311 - picture layout, not a secret
    ground = rng.choice([(205, 225, 240), (230, 220, 205), (215, 235, 215), (240, 215, 220)])
    shirt = rng.choice([(30, 90, 170), (200, 60, 60), (40, 140, 90), (60, 60, 70)])
    image = Image.new("RGB", (size, size), ground)
    draw = ImageDraw.Draw(image)
    draw.ellipse((size * 0.15, size * 0.62, size * 0.85, size * 1.3), fill=shirt)
    draw.ellipse((size * 0.33, size * 0.2, size * 0.67, size * 0.6), fill=(238, 200, 170))
    draw.pieslice((size * 0.31, size * 0.16, size * 0.69, size * 0.5), 180, 360, fill=(40, 30, 30))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80, optimize=True)
    return out.getvalue()
