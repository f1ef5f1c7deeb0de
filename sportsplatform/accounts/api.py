"""Accounts API (API.md, "Accounts"): sign-in by password or SMS code, the current user, logout."""

from __future__ import annotations

from django.contrib.auth import logout
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from sportsplatform.api.schema import error_response
from sportsplatform.api.scoping import ScopedQuerysetMixin
from sportsplatform.core.net import client_ip
from sportsplatform.core.scoping import scope_for
from sportsplatform.regions.models import Region

from .domain.login import AccountLocked, authenticate_password, record_logout, token_login
from .domain.sms import send_login_code, verify_login_code
from .domain.tokens import revoke_token
from .domain.two_factor import check_second_factor_for_token, has_second_factor
from .models import ApiToken, Organisation, OrganisationKind, User

# --- serializers ----------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, help_text="Username or mainland mobile number.")
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    otp_code = serializers.CharField(
        max_length=8, required=False, allow_blank=True, help_text="Authenticator code, for accounts with 2FA."
    )
    device_name = serializers.CharField(
        max_length=128, required=False, allow_blank=True, help_text="Shown in the list of the account's tokens."
    )


class SmsSendSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=20, help_text="Mainland mobile number, e.g. 13800001234.")


class SmsLoginSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=20)
    code = serializers.CharField(max_length=6, help_text="The 6-digit code from the text message.")
    device_name = serializers.CharField(max_length=128, required=False, allow_blank=True)


class UserSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()
    user = UserSummarySerializer()


class OrganisationMembershipSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    role = serializers.CharField()
    region_code = serializers.CharField()
    region_name = serializers.CharField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    phone = serializers.CharField(help_text="Masked, e.g. 138****1234.")
    roles = serializers.ListField(child=serializers.CharField())
    organisations = OrganisationMembershipSerializer(many=True)
    is_staff = serializers.BooleanField()
    two_factor_enabled = serializers.BooleanField()


def _roles(user: User) -> list[str]:
    return sorted(scope_for(user).roles)


def user_summary(user: User) -> dict:
    return {"id": user.pk, "display_name": user.get_display_name(), "roles": _roles(user)}


def token_response(user: User, token: ApiToken, key: str) -> dict:
    return {"token": key, "expires_at": token.expires_at, "user": user_summary(user)}


def me_payload(user: User) -> dict:
    memberships = (
        user.memberships.filter(is_active=True, organisation__is_active=True)
        .select_related("organisation__region")
        .order_by("organisation__name", "pk")
    )
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.get_display_name(),
        "phone": user.masked_phone,
        "roles": _roles(user),
        "organisations": [
            {
                "id": m.organisation_id,
                "name": m.organisation.name,
                "kind": m.organisation.kind,
                "role": m.role,
                "region_code": m.organisation.region_id,
                "region_name": m.organisation.region.name,
            }
            for m in memberships
        ],
        "is_staff": user.is_staff,
        "two_factor_enabled": has_second_factor(user),
    }


ERRORS = {
    400: error_response("Invalid input (error.fields names the fields)."),
    429: error_response("Rate limited; see the Retry-After header."),
}

# --- views ------------------------------------------------------------------------------------


class TokenView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        operation_id="auth_token",
        summary="Sign in with username (or phone) and password",
        description=(
            "Returns a bearer token. Five wrong passwords lock the account for 30 minutes "
            "(403 `account_locked`, also for the right password). Accounts with two-factor "
            "authentication add `otp_code` (400 `otp_required` / `invalid_otp`)."
        ),
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            **ERRORS,
            403: error_response("`account_locked` or `otp_setup_required`."),
        },
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ip = client_ip(request)
        try:
            user = authenticate_password(
                request=request._request,
                identifier=data.validated_data["username"],
                password=data.validated_data["password"],
            )
        except AccountLocked:
            # axes flagged the request so that its middleware swaps in the HTML lockout page;
            # the API answers in its own error format instead.
            request._request.axes_locked_out = False
            raise
        method = check_second_factor_for_token(user=user, otp_code=data.validated_data.get("otp_code", ""), ip=ip)
        token, key = token_login(
            user=user, method=method, device_name=data.validated_data.get("device_name", ""), ip=ip
        )
        return Response(token_response(user, token, key))


class SmsSendView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "sms_send"

    @extend_schema(
        operation_id="auth_sms_send",
        summary="Send a login code by SMS",
        description=(
            "Always 204 for a valid number, whether or not it has an account. Limits: one code per "
            "phone per minute, 5 per hour, 10 per day; 20 per IP per hour (429 `rate_limited`)."
        ),
        request=SmsSendSerializer,
        responses={204: OpenApiResponse(description="Code sent."), **ERRORS},
    )
    def post(self, request):
        data = SmsSendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        send_login_code(phone=data.validated_data["phone"], ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SmsLoginView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        operation_id="auth_sms_login",
        summary="Sign in with an SMS code",
        description=(
            "Creates the account on first sign-in. Errors: 400 `invalid_code` (five wrong tries use the "
            "code up) or `code_expired`; 403 `second_factor_required` for accounts with 2FA."
        ),
        request=SmsLoginSerializer,
        responses={
            200: TokenResponseSerializer,
            **ERRORS,
            403: error_response("`second_factor_required` or `account_disabled`."),
        },
    )
    def post(self, request):
        data = SmsLoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ip = client_ip(request)
        user = verify_login_code(phone=data.validated_data["phone"], code=data.validated_data["code"], ip=ip)
        token, key = token_login(user=user, method="sms", device_name=data.validated_data.get("device_name", ""), ip=ip)
        return Response(token_response(user, token, key))


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me",
        summary="The signed-in user",
        responses={200: MeSerializer, 401: error_response("Not signed in.")},
    )
    def get(self, request):
        return Response(me_payload(request.user))


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_logout",
        summary="Revoke the token used for this request",
        request=None,
        responses={204: OpenApiResponse(description="Signed out."), 401: error_response("Not signed in.")},
    )
    def post(self, request):
        if isinstance(request.auth, ApiToken):
            revoke_token(token=request.auth, actor=request.user, ip=client_ip(request))
        else:
            record_logout(user=request.user, ip=client_ip(request))
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- organisations (back-office staff; scoped) -------------------------------------------


class OrganisationSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region_id", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "region_code", "region_name", "credit_code", "is_active"]


class OrganisationFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OrganisationKind.choices, required=False)
    region = serializers.RegexField(
        r"^[1-9][0-9]{5}$",
        required=False,
        help_text="A division code: its organisations and those of divisions inside it.",
    )
    q = serializers.CharField(required=False, max_length=64, help_text="Part of the name.")


@extend_schema(
    summary="Organisations in my scope",
    description="Sports bureaus, venue operators, institutions and expert panels the caller may see: "
    "a county official their county's, a city official the city's, operators their own.",
    parameters=[OrganisationFilterSerializer],
    responses={
        200: OrganisationSerializer(many=True),
        400: error_response("Bad filter."),
        401: error_response("Not signed in."),
        403: error_response("Not back-office staff."),
    },
)
class OrganisationListView(ScopedQuerysetMixin, generics.ListAPIView):
    serializer_class = OrganisationSerializer
    queryset = Organisation.objects.select_related("region").order_by("region_id", "name", "id")

    def get_queryset(self):
        filters = OrganisationFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        qs = super().get_queryset()
        if kind := filters.validated_data.get("kind"):
            qs = qs.filter(kind=kind)
        if region := filters.validated_data.get("region"):
            qs = qs.filter(region__in=Region.objects.within(region))
        if q := filters.validated_data.get("q"):
            qs = qs.filter(name__contains=q)
        return qs


@extend_schema(
    summary="One organisation in my scope",
    responses={
        200: OrganisationSerializer,
        401: error_response("Not signed in."),
        403: error_response("Not back-office staff."),
        404: error_response("No such organisation in your scope."),
    },
)
class OrganisationDetailView(ScopedQuerysetMixin, generics.RetrieveAPIView):
    serializer_class = OrganisationSerializer
    queryset = Organisation.objects.select_related("region")
