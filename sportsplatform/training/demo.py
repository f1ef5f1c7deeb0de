"""seed_demo step 75: coaches with their certificates and a term of training courses in every state.

- coaches of five organisations (the Wuhou youth swimming centre, the Chengdu badminton
  association, the demo operator, the provincial social sports instructors' association and a
  Mianyang association), each with a social sports instructor certificate (社会体育指导员) and
  often a coach's qualification or lifeguard certificate; one instructor certificate has lapsed,
  one coach is not shown to the public; portraits drawn with Pillow;
- courses: a draft, two applications awaiting review in Chengdu, a rejected one with the bureau's
  reason, published courses open for enrolment (paid, free, a certification course with its linked
  exam, one full with a waiting list, one in Mianyang), a course running now with attendance taken
  at its past sessions, a finished one, and a cancelled one whose enrolments were refunded;
- the demo user "user" enrolled in several (paid, waiting list, the running course), so "my
  courses" has content; a free preview video and a video for enrolled students.

How: coaches, certificates, courses, sessions, review steps, enrolments, attendance and videos go
through training.domain (courses, coaches, enrolments, attendance, videos); paid orders are paid
through the sandbox cashier. The finished course lies wholly in the past, where enrolment cannot
happen any more: its enrolments are written as rows (a free community class, so no money was
due), its attendance through mark_attendance.

The preview video (demo_data/swim-preview.webm, 5 s, 480×270, VP8, 80 KB) was drawn on a canvas in
headless Chromium and recorded with the browser's MediaRecorder (no download, no ffmpeg); it plays
in every current browser.

Idempotent: courses are keyed by title and organiser, coaches by name and organisation.
`register()` also registers the training figures of the data screen (training/screen.py)."""

from __future__ import annotations

import time as clock
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils import timezone

STEP_ORDER = 75
PREVIEW_VIDEO = Path(__file__).parent / "demo_data" / "swim-preview.webm"

SWIM_CENTRE = "武侯区青少年游泳培训中心"
BADMINTON = "成都市羽毛球协会"
OPERATOR = "成都市武侯区全民健身中心管理有限公司"
INSTRUCTORS = "四川省社会体育指导员协会"
MIANYANG = "绵阳市全民健身协会"

# Staff who apply for each organisation's courses: (username, name, phone).
STAFF = {
    SWIM_CENTRE: ("youyong", "冯雷", "13900000108"),
    BADMINTON: ("yumao", "郑华", "13900000107"),
    OPERATOR: ("operator", "赵磊", "13800000005"),
    INSTRUCTORS: ("zhidao", "吴敏", "13900000320"),
    MIANYANG: ("myjianshen", "何丽", "13900000302"),
}


@dataclass
class CertSpec:
    kind: str
    name: str
    level: str
    issued_by: str
    years_ago: int
    valid_years: int | None  # None: no expiry; negative end: lapsed


@dataclass
class CoachSpec:
    organisation: str
    name: str
    gender: str
    sports: list[str]
    years: int
    bio: str
    certificates: list[CertSpec]
    is_public: bool = True


def _instructor(level: str, years_ago: int, valid_years: int | None = 4) -> CertSpec:
    return CertSpec("instructor", "社会体育指导员", level, "四川省体育局", years_ago, valid_years)


COACHES = [
    CoachSpec(SWIM_CENTRE, "冯雷", "m", ["swimming"], 12,
              "国家二级运动员，从事少儿游泳教学十二年，擅长自由泳和蛙泳启蒙。",
              [_instructor("一级", 2), CertSpec("coach", "游泳教练员", "中级", "四川省游泳协会", 5, None),
               CertSpec("lifeguard", "游泳救生员", "", "四川省体育职业技能鉴定站", 1, 2)]),
    CoachSpec(SWIM_CENTRE, "周婷", "f", ["swimming"], 6, "耐心细致，专注4至8岁幼儿水性培养。",
              [_instructor("二级", 1), CertSpec("lifeguard", "游泳救生员", "", "四川省体育职业技能鉴定站", 1, 2)]),
    CoachSpec(SWIM_CENTRE, "邓浩", "m", ["swimming"], 3, "成人游泳与泳姿纠正。",
              [_instructor("三级", 5, 4)]),  # lapsed a year ago
    CoachSpec(BADMINTON, "郑华", "m", ["badminton"], 15, "成都市羽毛球协会教练委员会委员，青少年羽毛球训练经验丰富。",
              [_instructor("国家级", 3, 5), CertSpec("referee", "羽毛球裁判员", "一级", "四川省羽毛球协会", 6, None)]),
    CoachSpec(BADMINTON, "林晓", "f", ["badminton"], 5, "前省队队员，擅长步法与双打战术教学。",
              [_instructor("二级", 1)]),
    CoachSpec(OPERATOR, "王强", "m", ["fitness", "basketball"], 8, "国家职业资格健身教练，擅长体能与力量训练。",
              [_instructor("二级", 2), CertSpec("vocational", "健身教练", "三级", "人力资源和社会保障部", 4, None)]),
    CoachSpec(OPERATOR, "陈敏", "f", ["yoga", "dance"], 7, "瑜伽与健身操教练，关注中老年人群的科学健身。",
              [_instructor("一级", 3)]),
    CoachSpec(OPERATOR, "刘建华", "m", ["martial_arts"], 20, "太极拳传统套路传承人，长期在社区义务教拳。",
              [_instructor("一级", 4, 6)], is_public=False),
    CoachSpec(INSTRUCTORS, "吴敏", "f", ["athletics", "fitness"], 18, "四川省社会体育指导员培训讲师。",
              [_instructor("国家级", 2, 8)]),
    CoachSpec(MIANYANG, "何丽", "f", ["table_tennis"], 10, "绵阳市乒乓球少儿训练营主教练。",
              [_instructor("二级", 2), CertSpec("coach", "乒乓球教练员", "初级", "绵阳市体育局", 3, None)]),
]  # fmt: skip


@dataclass
class CourseSpec:
    title: str
    organiser: str
    venue: str  # a demo venue's name, "" with `place`
    county: str
    sport: str
    state: str  # draft submitted rejected open ongoing finished cancelled
    first: int  # first day, from today
    weeks: int
    weekday: int  # 0 = Monday
    hours: tuple[int, int]  # start, end hour
    quota: int
    fee: str
    coaches: list[str]
    level: str = "beginner"
    place: str = ""
    audience: str = ""
    min_age: int | None = None
    max_age: int | None = None
    fill: int = 0
    waitlist: int = 0
    me: bool = False
    reason: str = ""
    linked_exam: str = ""
    description: str = ""
    topics: list[str] = field(default_factory=list)


TERM = [
    CourseSpec("瑜伽体态调整课", OPERATOR, "武侯区全民健身中心", "510107", "yoga", "draft", 30, 6, 2, (19, 20), 15,
               "480.00", ["陈敏"], audience="久坐办公人群", description="改善圆肩驼背和骨盆前倾的小班瑜伽课。"),
    CourseSpec("少儿篮球启蒙班", OPERATOR, "武侯区体育馆", "510107", "basketball", "submitted", 21, 8, 5, (9, 11), 20,
               "960.00", ["王强"], min_age=6, max_age=10, audience="6至10岁儿童",
               description="运球、传球和投篮基本功，培养团队意识。"),
    CourseSpec("青少年羽毛球提高班", BADMINTON, "凤凰山体育公园", "510106", "badminton", "submitted", 25, 10, 6,
               (14, 16), 16, "1500.00", ["郑华", "林晓"], level="intermediate", min_age=10, max_age=16,
               description="面向有基础的青少年，系统提高步法、技术与比赛能力。"),
    CourseSpec("成人游泳速成班", SWIM_CENTRE, "武侯区游泳馆", "510107", "swimming", "rejected", 20, 4, 1, (19, 21), 10,
               "680.00", ["冯雷"], reason="申请材料未说明救生员配备和学员意外伤害保险，请补充安全保障措施后重新提交。",
               description="四周学会蛙泳。"),
    CourseSpec("少儿自由泳入门班", SWIM_CENTRE, "武侯区游泳馆", "510107", "swimming", "open", 10, 8, 5, (9, 11), 12,
               "1280.00", ["冯雷", "周婷"], min_age=5, max_age=12, audience="5至12岁、已会换气的儿童", fill=4,
               me=True, description="小班教学（12人），八次课掌握自由泳完整配合，结课可参加游泳等级测试。",
               linked_exam="少儿游泳等级测试（三级）",
               topics=["水性复习与漂浮", "打腿", "划手", "换气", "手腿配合", "完整配合", "25米练习", "结课测试"]),
    CourseSpec("成人蛙泳提高班", SWIM_CENTRE, "武侯区游泳馆", "510107", "swimming", "open", 12, 6, 3, (19, 21), 4,
               "980.00", ["冯雷"], level="intermediate", audience="会游但动作不规范的成人", fill=4, waitlist=2,
               description="4人小班，纠正蛙泳腿和呼吸节奏。"),
    CourseSpec("社区羽毛球公益课", BADMINTON, "凤凰山体育公园", "510106", "badminton", "open", 9, 4, 6, (9, 11), 30,
               "0.00", ["林晓"], audience="社区居民", fill=3, description="成都市羽毛球协会全民健身公益课，免费参加。"),
    CourseSpec("社会体育指导员（二级）培训班", INSTRUCTORS, "成都市体育中心", "510105", "athletics", "open", 14, 3, 5,
               (9, 17), 40, "600.00", ["吴敏"], level="certification", audience="具有三级社会体育指导员资格者",
               fill=2, linked_exam="二级社会体育指导员技能考核",
               description="理论与实践教学三天，结业后参加技能考核。"),
    CourseSpec("少儿乒乓球培训班", MIANYANG, "绵阳市体育馆", "510703", "table_tennis", "open", 8, 8, 5, (9, 11), 16,
               "800.00", ["何丽"], min_age=6, max_age=12, fill=2, description="绵阳市少儿乒乓球基础班。"),
    CourseSpec("中老年健身操班", OPERATOR, "武侯区全民健身中心", "510107", "dance", "ongoing", -21, 8, 1, (9, 10), 25,
               "0.00", ["陈敏"], audience="50岁以上居民", fill=6, me=True,
               description="每周二上午，舒缓健身操与平衡训练，免费参加。"),
    CourseSpec("暑期体能训练营", OPERATOR, "武侯区全民健身中心", "510107", "fitness", "finished", -70, 4, 2,
               (10, 12), 20, "0.00", ["王强"], min_age=8, max_age=14, fill=8,
               description="公益体能训练营：跑跳、协调与核心力量。"),
    CourseSpec("少儿跳水体验营", SWIM_CENTRE, "武侯区游泳馆", "510107", "swimming", "cancelled", 15, 3, 6, (15, 17), 10,
               "360.00", ["周婷"], min_age=7, max_age=12, fill=2,
               reason="跳水池设备检修延期，体验营取消，已缴费用全额退还。", description="三次跳水体验课。"),
]  # fmt: skip


def register() -> None:
    from sportsplatform.backoffice.demo import register_seed_step

    from . import screen

    register_seed_step(STEP_ORDER, seed_training, name="training")
    screen.register()


def seed_training(ctx) -> None:
    from .models import Course

    started = clock.perf_counter()
    if not _regions_present(ctx):
        ctx.log("    no county divisions: skipped (the regions data migration has not run)")
        return
    staff = _organisers(ctx)
    coaches = _coaches(ctx, staff)
    made = []
    for spec in TERM:
        org, person = staff[spec.organiser]
        if Course.objects.filter(title=spec.title, organiser=org).exists():
            continue
        course = _build(ctx, spec, org=org, staff=person, coaches=coaches)
        made.append(f"{spec.state} {course.pk}")
    ctx.log(f"    {len(made)} courses: " + ", ".join(made) if made else "    demo courses already present")
    ctx.log(f"    training step took {clock.perf_counter() - started:.1f}s")


def _regions_present(ctx) -> bool:
    from sportsplatform.regions.models import Region

    codes = {s.county for s in TERM}
    return Region.objects.filter(pk__in=codes).count() == len(codes)


def _organisers(ctx) -> dict:
    """{name: (organisation, staff)}: the events step's organisers and the two training bodies."""
    from sportsplatform.accounts.domain.users import grant_membership
    from sportsplatform.accounts.models import Organisation
    from sportsplatform.events.demo import demo_organisers, ensure_user

    out = {name: pair for name, pair in demo_organisers(ctx).items() if name in STAFF}
    for name in (SWIM_CENTRE, INSTRUCTORS):
        org = Organisation.objects.filter(name=name).order_by("pk").first()
        if org is None:
            raise RuntimeError(f"demo organisation {name} missing: run the accounts step first")
        person = ensure_user(*STAFF[name])
        if not person.memberships.filter(organisation=org, is_active=True).exists():
            grant_membership(user=person, organisation=org)
        out[name] = (org, person)
    return out


def _coaches(ctx, staff) -> dict:
    """{(organisation name, coach name): Coach}, made through training.domain.coaches."""
    from sportsplatform.events.demo import portrait_jpeg
    from sportsplatform.venues.models import Sport

    from .domain.coaches import add_certificate, create_coach
    from .models import Coach

    today = timezone.localdate()
    sports = {s.code: s for s in Sport.objects.all()}
    out = {}
    for n, spec in enumerate(COACHES, start=1):
        org, person = staff[spec.organisation]
        coach = Coach.objects.filter(organisation=org, name=spec.name).first()
        if coach is None:
            coach = create_coach(
                actor=person,
                organisation=org,
                data={"name": spec.name, "gender": spec.gender, "years_coaching": spec.years, "bio": spec.bio,
                      "is_public": spec.is_public, "sports": [sports[c] for c in spec.sports if c in sports]},
            )  # fmt: skip
            coach.photo.save(f"coach-{coach.pk}.jpg", ContentFile(portrait_jpeg(seed=n * 13)), save=True)
            for k, cert in enumerate(spec.certificates, start=1):
                issued = today.replace(year=today.year - cert.years_ago) if not _feb29(today) else today
                valid = issued.replace(year=issued.year + cert.valid_years) if cert.valid_years else None
                add_certificate(
                    coach=coach,
                    actor=person,
                    data={"kind": cert.kind, "name": cert.name, "level": cert.level, "issued_by": cert.issued_by,
                          "number": f"{cert.kind[:2].upper()}{org.region_id}{n:03d}{k}", "issued_on": issued,
                          "valid_until": valid},
                )  # fmt: skip
        out[(spec.organisation, spec.name)] = coach
    return out


def _feb29(day: date) -> bool:
    return day.month == 2 and day.day == 29


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _first_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _course_data(ctx, spec: CourseSpec, coaches: dict) -> dict:
    from sportsplatform.venues.models import Sport, Venue

    today = timezone.localdate()
    now = timezone.now()
    first = _first_weekday(today + timedelta(days=spec.first), spec.weekday)
    last = first + timedelta(weeks=spec.weeks - 1)
    block = spec.hours[1] - spec.hours[0] >= 6  # a block course: consecutive days, not weekly
    if block:
        last = first + timedelta(days=spec.weeks - 1)
    venue = Venue.objects.filter(name=spec.venue, is_published=True).order_by("pk").first() if spec.venue else None
    if spec.state in ("ongoing",):
        opens, closes = now - timedelta(days=35), _at(last, spec.hours[0]) - timedelta(days=7)
    elif spec.state == "finished":
        opens, closes = _at(first, 8) - timedelta(days=30), _at(first, 8) - timedelta(days=1)
    else:
        opens = now - timedelta(days=5) if spec.state in ("open", "cancelled") else now + timedelta(days=2)
        closes = _at(first, 8) - timedelta(days=1)
    if block:
        sessions = [
            {"starts_at": _at(first + timedelta(days=d), spec.hours[0]),
             "ends_at": _at(first + timedelta(days=d), spec.hours[1]),
             "topic": spec.topics[d] if d < len(spec.topics) else f"第{d + 1}天", "place": ""}
            for d in range(spec.weeks)
        ]  # fmt: skip
    else:
        sessions = [
            {"starts_at": _at(first + timedelta(weeks=w), spec.hours[0]),
             "ends_at": _at(first + timedelta(weeks=w), spec.hours[1]),
             "topic": spec.topics[w] if w < len(spec.topics) else f"第{w + 1}课", "place": ""}
            for w in range(spec.weeks)
        ]  # fmt: skip
    named = [coaches[(spec.organiser, name)] for name in spec.coaches]
    for n, session in enumerate(sessions):
        session["coach"] = named[n % len(named)]
    weekday_names = "一二三四五六日"
    return {
        "title": spec.title,
        "sport": Sport.objects.get(code=spec.sport),
        "level": spec.level,
        "venue": venue,
        "region": venue.region if venue is not None else ctx.region(spec.county),
        "place": spec.place or (venue.address if venue is not None else spec.venue),
        "description": spec.description,
        "audience": spec.audience,
        "min_age": spec.min_age,
        "max_age": spec.max_age,
        "fee": spec.fee,
        "quota": spec.quota,
        "starts_on": first,
        "ends_on": last,
        "enrol_opens_at": opens,
        "enrol_closes_at": closes,
        "schedule_note": (
            f"{first:%m月%d日}起连续{spec.weeks}天 {spec.hours[0]}:00-{spec.hours[1]}:00"
            if block
            else f"每周{weekday_names[spec.weekday]} {spec.hours[0]}:00-{spec.hours[1]}:00，共{spec.weeks}次"
        ),
        "linked_exam": spec.linked_exam,
        "contact_phone": "028-85012345",
        "coaches": named,
        "sessions": sessions,
    }


def _reviewer(ctx, course):
    if course.region_id.startswith("5101"):
        return ctx.user("chengdu")
    if course.region_id.startswith("5107"):
        return ctx.user("mianyang")
    return ctx.user("sichuan")


def _build(ctx, spec: CourseSpec, *, org, staff, coaches):
    from sportsplatform.events.demo import scene_jpeg

    from .domain.courses import approve_course, cancel_course, create_course, reject_course, submit_course

    course = create_course(actor=staff, organiser=org, data=_course_data(ctx, spec, coaches))
    picture = scene_jpeg(sport=spec.sport, seed=course.pk * 7 + len(spec.title), people=5)
    course.cover.save(f"course-{course.pk}.jpg", ContentFile(picture), save=False)
    type(course).objects.filter(pk=course.pk).update(cover=course.cover.name)
    if spec.state == "draft":
        return course
    submit_course(course=course, actor=staff)
    if spec.state == "submitted":
        return course
    if spec.state == "rejected":
        reject_course(course=course, actor=_reviewer(ctx, course), comment=spec.reason)
        return course
    approve_course(course=course, actor=_reviewer(ctx, course), comment="同意开班，请做好学员安全保障。")
    course.refresh_from_db()
    if spec.state == "finished":
        _past_enrolments(ctx, spec, course)
    else:
        _enrol_now(ctx, spec, course)
    if spec.state in ("ongoing", "finished"):
        _attendance(course, staff)
    if spec.state == "cancelled":
        cancel_course(course=course, actor=staff, reason=spec.reason)
    if spec.title == "少儿自由泳入门班":
        _videos(course, staff)
    return course


def _student(i: int, spec: CourseSpec) -> tuple[str, date | None]:
    from sportsplatform.events.demo import person_name

    today = timezone.localdate()
    if spec.min_age is None and spec.max_age is None:
        return person_name(i), None
    low = spec.min_age or 6
    high = spec.max_age or low + 4
    age = low + i % max(1, high - low)
    return person_name(i + 200), date(today.year - age - 1, 1 + i % 12, 1 + i % 27)


def _enrol_now(ctx, spec: CourseSpec, course) -> None:
    from sportsplatform.events.demo import demo_players, pay_with_sandbox

    from .domain.enrolments import enrol

    players = demo_players()
    offset = len(spec.title) * 3
    for n in range(spec.fill + spec.waitlist):
        i = (offset + n) % len(players)
        player = players[i]
        name, birth = _student(i + 1, spec)
        enrolment = enrol(course=course, user=player, student_name=name, student_birth_date=birth,
                          guardian_phone=f"1370000{i + 1:04d}", actor=player,
                          idempotency_key=f"demo-course-{course.pk}-{player.pk}")  # fmt: skip
        if enrolment.order is not None:
            pay_with_sandbox(enrolment.order, player)
    if spec.me:
        me = ctx.user("user")
        name, birth = ("王子涵", _student(3, spec)[1]) if spec.min_age else (me.display_name or "李小雨", None)
        enrolment = enrol(
            course=course, user=me, student_name=name, student_birth_date=birth, guardian_phone="13800000000",
            actor=me, idempotency_key=f"demo-course-{course.pk}-me",
        )  # fmt: skip
        if enrolment.order is not None:
            pay_with_sandbox(enrolment.order, me)


def _past_enrolments(ctx, spec: CourseSpec, course) -> None:
    """History: enrolments of a course whose enrolment closed before today; written as confirmed
    rows with the places counted on the course by the conditional UPDATE enrolments use. The
    course is free (a community camp), so no money was due."""
    from sportsplatform.core.signups import SignupStatus, take_place
    from sportsplatform.events.demo import demo_players

    from .models import Course, Enrolment

    players = demo_players()
    made_at = course.enrol_opens_at + timedelta(days=1)
    rows = []
    for n in range(spec.fill):
        i = (len(spec.title) + n) % len(players)
        name, birth = _student(i + 1, spec)
        rows.append(
            Enrolment(
                course=course, user=players[i], status=SignupStatus.CONFIRMED, student_name=name,
                student_birth_date=birth, guardian_phone=f"1370000{i + 1:04d}", confirmed_at=made_at,
            )
        )  # fmt: skip
    Enrolment.objects.bulk_create(rows)
    if not take_place(Course, course.pk, len(rows)):
        raise RuntimeError(f"demo course {course.pk} has fewer than {len(rows)} places")
    Enrolment.objects.filter(course=course).update(created_at=made_at)


def _attendance(course, staff) -> None:
    """The organiser takes attendance at every session held so far (training.domain.attendance):
    most students present, one or two absent each time."""
    from sportsplatform.core.signups import SignupStatus

    from .domain.attendance import mark_attendance
    from .models import Enrolment

    today = timezone.localdate()
    students = list(Enrolment.objects.filter(course=course, status=SignupStatus.CONFIRMED).order_by("pk"))
    for s, session in enumerate(course.sessions.order_by("starts_at")):
        if timezone.localdate(session.starts_at) > today or session.starts_at > timezone.now():
            break
        for k, enrolment in enumerate(students):
            present = (k + s) % 7 != 3
            mark_attendance(session=session, enrolment=enrolment, present=present, actor=staff)


def _videos(course, staff) -> None:
    """A free preview and a lesson for enrolled students (training.domain.videos), both the same
    small generated clip: demo data, not teaching material."""
    from .domain.videos import upload_video

    data = PREVIEW_VIDEO.read_bytes()
    for position, (title, name, preview) in enumerate(
        [("试看：自由泳打腿要领", "preview.webm", True), ("第一课：水中漂浮与换气", "lesson-1.webm", False)]
    ):
        upload_video(
            course=course, actor=staff, title=title, file=ContentFile(data, name=name), is_preview=preview,
            position=position, duration_seconds=5,
        )  # fmt: skip
