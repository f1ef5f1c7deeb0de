from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from sportsplatform.core.services import check_all


@extend_schema(
    summary="Readiness probe",
    description="Whether this app server reaches its database, cache, MQTT broker and task broker. "
    "503 when any of them fails, so the load balancer takes the server out of rotation.",
    responses={
        (200, "application/json"): inline_serializer(
            "Health",
            {
                "status": serializers.ChoiceField(choices=["ok", "degraded"]),
                "checks": serializers.DictField(child=serializers.DictField()),
            },
        ),
        (503, "application/json"): inline_serializer(
            "HealthDegraded",
            {"status": serializers.CharField(), "checks": serializers.DictField(child=serializers.DictField())},
        ),
    },
    auth=[],
)
@api_view(["GET"])
@permission_classes([AllowAny])
@throttle_classes([])
def health(request):
    statuses = check_all()
    ok = all(s.ok for s in statuses)
    # Details (host names, errors) are for operators; the public only learns up/down.
    show_detail = request.user.is_authenticated and request.user.is_staff
    checks = {s.name: {"ok": s.ok, "ms": s.ms, **({"detail": s.detail} if show_detail else {})} for s in statuses}
    return Response({"status": "ok" if ok else "degraded", "checks": checks}, status=200 if ok else 503)
