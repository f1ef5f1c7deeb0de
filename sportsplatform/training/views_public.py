"""Public training pages (体育培训): the course list and a course, enrolling (then paying through
the order pages), "my courses" with attendance, withdrawing with the refund quote, coach profiles
and the course video player. Views parse input, call the reads of queries.py or one domain
function of training.domain, and render; the rules live in the domain."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from sportsplatform.booking.domain.handler import describe_refund_tiers
from sportsplatform.core.errors import DomainError, NotFound, ValidationFailed
from sportsplatform.core.signups import HOLDS_PLACE, SignupStatus
from sportsplatform.orders.domain.kinds import handler_for
from sportsplatform.orders.models import OrderStatus
from sportsplatform.venues.page_queries import sport_label, sport_options

from . import queries
from .domain.enrolments import enrol as enrol_in_course
from .domain.enrolments import withdraw_enrolment
from .domain.videos import can_watch
from .forms import CourseSearchForm, EnrolForm, WithdrawForm, age_rule
from .models import Attendance, Course, CourseSession, CourseVideo, Enrolment

PAGE_SIZE = 12
RESULTS_TARGET = "course-results"  # the id htmx swaps on the list page


def _reverse_or_blank(name: str, *args) -> str:
    """A URL of another part or app that may not exist yet: linked only once it does."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# --- course state as the pages show it --------------------------------------------------------


@dataclass(frozen=True)
class EnrolState:
    """Where enrolment stands for a course: `code` drives the badge colour and the button."""

    code: str  # open | full | soon | closed | ended
    label: str
    detail: str = ""

    @property
    def can_enrol(self) -> bool:
        return self.code in ("open", "full")

    @property
    def badge(self) -> str:
        return {"open": "badge-success", "full": "badge-warning", "soon": "badge-muted"}.get(self.code, "badge-muted")


def enrol_state(course: Course, now: datetime) -> EnrolState:
    if course.ends_on < timezone.localdate(now):
        return EnrolState("ended", _("Course ended"))
    if now < course.enrol_opens_at:
        opens = timezone.localtime(course.enrol_opens_at)
        return EnrolState(
            "soon", _("Enrolment not yet open"), _("Opens %(when)s") % {"when": f"{opens:%Y-%m-%d %H:%M}"}
        )
    if now >= course.enrol_closes_at:
        return EnrolState("closed", _("Enrolment closed"))
    if course.places_left <= 0:
        return EnrolState("full", _("Full · waiting list"), _("New enrolments join the waiting list."))
    closes = timezone.localtime(course.enrol_closes_at)
    return EnrolState(
        "open",
        ngettext("%(n)s place left", "%(n)s places left", course.places_left) % {"n": course.places_left},
        _("Enrol by %(when)s") % {"when": f"{closes:%Y-%m-%d %H:%M}"},
    )


def fee_label(fee) -> str:
    return _("Free") if not fee else f"¥{fee:.2f}"


def date_range(start, end) -> str:
    if start == end:
        return f"{start:%Y-%m-%d}"
    if start.year == end.year:
        return f"{start:%Y-%m-%d} – {end:%m-%d}"
    return f"{start:%Y-%m-%d} – {end:%Y-%m-%d}"


@dataclass(frozen=True)
class CourseRow:
    course: Course
    sport: str
    state: EnrolState
    fee: str
    dates: str
    place: str
    coaches: list[str]


def _place(course: Course) -> str:
    if course.venue_id and course.place:
        return f"{course.venue.name} · {course.place}"
    return course.venue.name if course.venue_id else course.place


def _rows(courses, now: datetime) -> list[CourseRow]:
    return [
        CourseRow(
            course=c,
            sport=sport_label(c.sport),
            state=enrol_state(c, now),
            fee=fee_label(c.fee),
            dates=date_range(c.starts_on, c.ends_on),
            place=_place(c),
            coaches=[coach.name for coach in c.coaches.all()],
        )
        for c in courses
    ]


def _wants_results_only(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and htmx.target == RESULTS_TARGET and not htmx.history_restore_request


# --- list and detail ---------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def course_list(request):
    form = CourseSearchForm(request.GET)
    filters = form.filters()
    now = timezone.now()
    courses = queries.published_courses(**filters.search_kwargs(), now=now).annotate(
        session_count=Count("sessions", distinct=True)
    )
    page = Paginator(courses, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": _rows(page.object_list, now),
        "results_target": RESULTS_TARGET,
    }
    template = "training/public/_list_results.html" if _wants_results_only(request) else "training/public/list.html"
    return render(request, template, context)


def _published_course(pk) -> Course:
    try:
        return queries.course_detail(pk)
    except NotFound:
        raise Http404 from None


@dataclass(frozen=True)
class CertificateRow:
    certificate: object
    status: str  # valid | expiring | expired

    @property
    def status_label(self) -> str:
        return {
            "valid": _("Valid"),
            "expiring": _("Expires soon"),
            "expired": _("Expired"),
        }[self.status]

    @property
    def badge(self) -> str:
        return {"valid": "badge-success", "expiring": "badge-warning", "expired": "badge-error"}[self.status]


def _certificates(coach) -> list[CertificateRow]:
    today = timezone.localdate()
    return [CertificateRow(c, queries.certificate_status(c, today)) for c in coach.certificates.all()]


@dataclass
class CoachCard:
    coach: object
    sports: list[str]
    certificates: list[CertificateRow] = field(default_factory=list)


def _linked_event_url(course: Course) -> str:
    event = course.linked_event
    if event is None or not event.is_published:
        return ""
    return _reverse_or_blank("events:detail", event.pk)


def video_length(seconds: int) -> str:
    """1:05, 12:00, 1:02:03."""
    minutes, secs = divmod(int(seconds or 0), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _with_lengths(videos: list[CourseVideo]) -> list[CourseVideo]:
    for video in videos:
        video.length = video_length(video.duration_seconds)
    return videos


def _stream_url(video: CourseVideo) -> str:
    return _reverse_or_blank("training:video", video.pk)


@require_GET
def course_detail(request, pk: int):
    course = _published_course(pk)
    now = timezone.now()
    enrolment = queries.active_enrolment(user=request.user, course=course)
    videos = _with_lengths(queries.course_videos(course=course, user=request.user))
    preview = next((v for v in videos if v.is_preview and v.watchable), None)
    context = {
        "course": course,
        "sport": sport_label(course.sport),
        "state": enrol_state(course, now),
        "fee": fee_label(course.fee),
        "dates": date_range(course.starts_on, course.ends_on),
        "place": _place(course),
        "sessions": list(course.sessions.all()),
        "coaches": [
            CoachCard(coach=c, sports=[sport_label(s) for s in c.sports.all()], certificates=_certificates(c))
            for c in course.coaches.all()
        ],
        "age_rule": age_rule(course),
        "refund_rule": describe_refund_tiers(course.refund_tiers or []) if course.fee else "",
        "linked_event_url": _linked_event_url(course),
        "videos": videos,
        "preview": preview,
        "preview_url": _stream_url(preview) if preview else "",
        "enrolment": enrolment,
        "waitlisted": queries.waitlist_count(course) if course.places_left <= 0 else 0,
        "now": now,
    }
    return render(request, "training/public/detail.html", context)


# --- enrolling ---------------------------------------------------------------------------------


def _apply_domain_errors(form, error: DomainError) -> None:
    """Put a domain error's per-field messages on the form's fields (the rest on the form)."""
    placed = False
    for name, problems in (error.fields or {}).items():
        if name not in form.fields:
            continue
        for problem in problems if isinstance(problems, list | tuple) else [problems]:
            form.add_error(name, str(problem))
            placed = True
    if not placed:
        form.add_error(None, str(error.message))


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request, pk: int):
    course = _published_course(pk)
    now = timezone.now()
    existing = queries.active_enrolment(user=request.user, course=course)
    if existing is not None:
        messages.info(request, _("You are already enrolled in this course."))
        return redirect("training:enrolment", pk=existing.pk)
    state = enrol_state(course, now)
    initial = {"guardian_phone": request.user.phone or "", "student_name": request.user.display_name}
    form = EnrolForm(request.POST if request.method == "POST" else None, course=course, initial=initial)
    status = 200
    if request.method == "POST" and state.can_enrol:
        if form.is_valid():
            try:
                enrolment = enrol_in_course(course=course, user=request.user, actor=request.user, **form.enrol_kwargs())
            except ValidationFailed as exc:
                _apply_domain_errors(form, exc)
                status = 400
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                if enrolment.status == SignupStatus.PENDING_PAYMENT and enrolment.order_id:
                    return redirect("orders:pay", pk=enrolment.order_id)
                return redirect("training:enrolment", pk=enrolment.pk)
        else:
            status = 400
    elif request.method == "POST":
        status = 409
    context = {
        "course": course,
        "form": form,
        "state": state,
        "fee": fee_label(course.fee),
        "dates": date_range(course.starts_on, course.ends_on),
        "place": _place(course),
        "refund_rule": describe_refund_tiers(course.refund_tiers or []) if course.fee else "",
    }
    return render(request, "training/public/enrol.html", context, status=status)


# --- my courses ----------------------------------------------------------------------------------


@dataclass
class SessionMark:
    session: CourseSession
    present: bool | None  # None: not marked (yet)
    held: bool


@dataclass
class EnrolmentRow:
    enrolment: Enrolment
    sport: str
    dates: str
    place: str
    pay_url: str = ""
    payment_lapsed: bool = False
    ticket_url: str = ""
    can_withdraw: bool = False
    marks: list[SessionMark] = field(default_factory=list)
    attended: int = 0
    held: int = 0
    videos: list[CourseVideo] = field(default_factory=list)

    @property
    def badge(self) -> str:
        return {
            SignupStatus.CONFIRMED: "badge-success",
            SignupStatus.PENDING_PAYMENT: "badge-warning",
            SignupStatus.WAITLISTED: "badge-warning",
        }.get(self.enrolment.status, "badge-muted")


def _enrolment_row(enrolment: Enrolment, now: datetime, *, with_course_details: bool = True) -> EnrolmentRow:
    course = enrolment.course
    order = enrolment.order
    row = EnrolmentRow(
        enrolment=enrolment,
        sport=sport_label(course.sport),
        dates=date_range(course.starts_on, course.ends_on),
        place=_place(course),
    )
    if order is not None:
        if enrolment.status == SignupStatus.PENDING_PAYMENT and order.status == OrderStatus.PENDING_PAYMENT:
            # Once the time to pay is up the expiry task releases the place: no pay link then.
            if order.expires_at is not None and order.expires_at <= now:
                row.payment_lapsed = True
            else:
                row.pay_url = reverse("orders:pay", args=[order.pk])
        if enrolment.status == SignupStatus.CONFIRMED and order.status in (OrderStatus.PAID, OrderStatus.USED):
            row.ticket_url = reverse("orders:ticket", args=[order.pk])
    row.can_withdraw = enrolment.status in (
        *HOLDS_PLACE,
        SignupStatus.WAITLISTED,
    ) and course.ends_on >= timezone.localdate(now)
    if with_course_details and enrolment.status == SignupStatus.CONFIRMED:
        marks = {a.session_id: a.present for a in enrolment.attendance.all()}
        for session in course.sessions.all():
            held = session.starts_at <= now
            present = marks.get(session.pk)
            row.marks.append(SessionMark(session=session, present=present, held=held))
            row.held += held
            row.attended += bool(held and present)
        # A confirmed enrolment may watch every video of its course (domain.videos.can_watch).
        row.videos = list(course.videos.all())
    return row


@login_required
@never_cache
@require_GET
def my_courses(request):
    now = timezone.now()
    enrolments = queries.my_enrolments(request.user).prefetch_related(
        Prefetch("course__sessions", queryset=CourseSession.objects.order_by("starts_at", "id")),
        Prefetch("course__videos", queryset=CourseVideo.objects.order_by("position", "id")),
        Prefetch("attendance", queryset=Attendance.objects.only("id", "enrolment_id", "session_id", "present")),
    )
    page = Paginator(enrolments, 20).get_page(request.GET.get("page"))
    rows = [_enrolment_row(e, now) for e in page.object_list]
    active = [r for r in rows if r.enrolment.status in (*HOLDS_PLACE, SignupStatus.WAITLISTED)]
    closed = [r for r in rows if r not in active]
    return render(request, "training/public/mine.html", {"page": page, "active": active, "closed": closed})


def _own_enrolment(request, pk) -> Enrolment:
    try:
        return queries.my_enrolment(request.user, pk)
    except NotFound:
        raise Http404 from None


@login_required
@never_cache
@require_GET
def enrolment_detail(request, pk: int):
    """The answer to enrolling: confirmed, waiting (with the place in the queue) or to be paid."""
    enrolment = _own_enrolment(request, pk)
    now = timezone.now()
    context = {
        "row": _enrolment_row(enrolment, now, with_course_details=False),
        "enrolment": enrolment,
        "course": enrolment.course,
        "fee": fee_label(enrolment.course.fee),
        "position": queries.waitlist_position(enrolment),
    }
    return render(request, "training/public/enrolment.html", context)


def _refund_quote(enrolment: Enrolment, now: datetime):
    order = enrolment.order
    if order is None or order.status != OrderStatus.PAID or enrolment.status != SignupStatus.CONFIRMED:
        return None
    if not order.amount:  # a free course's order of 0: nothing to give back
        return None
    return handler_for(order).refund_quote(order=order, now=now)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def withdraw(request, pk: int):
    enrolment = _own_enrolment(request, pk)
    now = timezone.now()
    row = _enrolment_row(enrolment, now, with_course_details=False)
    if not row.can_withdraw:
        messages.info(request, _("This enrolment can no longer be withdrawn."))
        return redirect("training:mine")
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    quote = _refund_quote(enrolment, now)
    error = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = withdraw_enrolment(enrolment=enrolment, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            error = str(exc.message)
            status = exc.status
        else:
            order = enrolment.order
            refunded = (order.refunded_amount if order is not None else 0) or (quote.amount if quote else 0)
            if refunded:
                messages.success(
                    request,
                    _("You withdrew from %(course)s. ¥%(amount)s will be refunded the way you paid.")
                    % {"course": enrolment.course.title, "amount": f"{refunded:.2f}"},
                )
            else:
                messages.success(request, _("You withdrew from %(course)s.") % {"course": enrolment.course.title})
            return redirect("training:mine")
    context = {
        "enrolment": enrolment,
        "course": enrolment.course,
        "row": row,
        "fee": fee_label(enrolment.course.fee),
        "quote": quote,
        "form": form,
        "error": error,
        "refund_rule": describe_refund_tiers(enrolment.course.refund_tiers or []) if enrolment.course.fee else "",
    }
    return render(request, "training/public/withdraw.html", context, status=status)


# --- coaches -----------------------------------------------------------------------------------


@require_GET
def coach_list(request):
    q = (request.GET.get("q") or "").strip()[:64]
    sports = sport_options()
    sport = request.GET.get("sport") or ""
    if sport not in {o.value for o in sports}:
        sport = ""  # an unknown sport is no filter rather than an error page
    coaches = queries.public_coaches(q=q, sport=sport or None)
    page = Paginator(coaches, 24).get_page(request.GET.get("page"))
    cards = [
        CoachCard(coach=c, sports=[sport_label(s) for s in c.sports.all()], certificates=_certificates(c))
        for c in page.object_list
    ]
    context = {"page": page, "cards": cards, "q": q, "sport": sport, "sports": sports}
    return render(request, "training/public/coaches.html", context)


@require_GET
def coach_detail(request, pk: int):
    try:
        coach = queries.coach_detail(pk)
    except NotFound:
        raise Http404 from None
    now = timezone.now()
    context = {
        "card": CoachCard(
            coach=coach, sports=[sport_label(s) for s in coach.sports.all()], certificates=_certificates(coach)
        ),
        "coach": coach,
        "rows": _rows(coach.upcoming_courses, now) if hasattr(coach, "upcoming_courses") else [],
    }
    return render(request, "training/public/coach.html", context)


# --- videos --------------------------------------------------------------------------------------


@never_cache
@require_GET
def watch(request, pk: int):
    """A course video in the player. The file itself comes from `training:video`, which checks
    the same permission again for every request (and serves byte ranges for seeking)."""
    try:
        video = CourseVideo.objects.select_related("course").get(pk=pk)
    except CourseVideo.DoesNotExist:
        raise Http404 from None
    course = video.course
    if not course.is_published:
        raise Http404
    if not can_watch(request.user, video):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        context = {"video": video, "course": course, "locked": True}
        return render(request, "training/public/watch.html", context, status=403)
    playlist = _with_lengths(queries.course_videos(course=course, user=request.user))
    context = {
        "video": video,
        "course": course,
        "locked": False,
        "stream_url": _stream_url(video),
        "playlist": playlist,
    }
    return render(request, "training/public/watch.html", context)
