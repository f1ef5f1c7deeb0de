"""The coupon API (消费券):

GET    /api/v1/coupons                        claimable batches (filters: region, sport, venue)
POST   /api/v1/coupons/{batch_id}/claim       201 the claimed coupon; 409 coupons_gone / claim_limit_reached
GET    /api/v1/me/coupons                     my coupons (status=available|used|void|expired;
                                              usable_for=<order id>: only those that fit that order)
POST   /api/v1/orders/{id}/coupon             {"coupon_id"} → the order with its discount
DELETE /api/v1/orders/{id}/coupon             → the order without it
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from sportsplatform.api.schema import error_response
from sportsplatform.core.errors import NotFound, ValidationFailed
from sportsplatform.orders.api import OrderSerializer, order_payload, own_order, own_orders
from sportsplatform.orders.models import Order

from .domain.checkout import active_redemption, apply_coupon, close_payments_for_coupon_change, remove_coupon
from .domain.claims import claim_coupon
from .domain.eligibility import OrderFacts, discount_for, why_not
from .models import BatchStatus, Coupon, CouponBatch, CouponStatus
from .queries import claimable_batches, claimed_counts, my_coupons


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class BatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    issuer = serializers.CharField(source="issuer.name")
    region_code = serializers.CharField(source="region_id")
    region_name = serializers.CharField(source="region.name")
    face_value = serializers.DecimalField(max_digits=8, decimal_places=2)
    min_spend = serializers.DecimalField(max_digits=8, decimal_places=2)
    total_count = serializers.IntegerField()
    remaining = serializers.IntegerField()
    per_user_limit = serializers.IntegerField()
    valid_from = serializers.DateTimeField()
    valid_until = serializers.DateTimeField()
    venues = RefSerializer(many=True, source="venues.all", help_text="Empty: any venue in the regions.")
    sports = serializers.SerializerMethodField(help_text="Sport codes; empty: every sport.")
    regions = serializers.SerializerMethodField(help_text="Region codes; empty: the issuer's whole region.")
    claimed_by_me = serializers.SerializerMethodField(help_text="How many of these I hold (0 when anonymous).")
    can_claim = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_sports(self, batch) -> list[str]:
        return [s.code for s in batch.sports.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_regions(self, batch) -> list[str]:
        return [r.code for r in batch.regions.all()]

    def get_claimed_by_me(self, batch) -> int:
        return self.context.get("claimed", {}).get(batch.pk, 0)

    def get_can_claim(self, batch) -> bool:
        return batch.is_claimable() and self.get_claimed_by_me(batch) < batch.per_user_limit


class CouponSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    status = serializers.SerializerMethodField(help_text="`available`, `used`, `void` or `expired`.")
    claimed_at = serializers.DateTimeField()
    used_at = serializers.DateTimeField(allow_null=True)
    batch = BatchSerializer()

    def get_status(self, coupon) -> str:
        if coupon.status == CouponStatus.AVAILABLE and coupon.batch.is_expired():
            return "expired"
        return coupon.status


class UsableCouponSerializer(CouponSerializer):
    discount = serializers.DecimalField(
        max_digits=10, decimal_places=2, help_text="What it would take off the order (with usable_for)."
    )


def _batch_context(request, batches) -> dict:
    return {"request": request, "claimed": claimed_counts(user=request.user, batch_ids=[b.pk for b in batches])}


class BatchListView(generics.ListAPIView):
    serializer_class = BatchSerializer

    @extend_schema(
        operation_id="coupon_batches",
        summary="Coupon batches that can be claimed",
        parameters=[
            OpenApiParameter("region", OpenApiTypes.STR, description="A region code: batches usable there."),
            OpenApiParameter("sport", OpenApiTypes.STR, description="A sport code."),
            OpenApiParameter("venue", OpenApiTypes.INT, description="A venue id: batches usable there."),
        ],
        responses={
            401: error_response("Not signed in, or an invalid token."),
            200: BatchSerializer(many=True),
            400: error_response("Bad filter (`fields` says which)."),
            404: error_response("No such page."),
        },
        tags=["coupons"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        region = params.get("region", "").strip()
        if region and not (region.isdigit() and len(region) == 6):
            raise ValidationFailed(fields={"region": [_("A six-digit region code, e.g. 510100.")]})
        venue = params.get("venue", "").strip()
        if venue and not venue.isdigit():
            raise ValidationFailed(fields={"venue": [_("A venue id.")]})
        return claimable_batches(region=region, sport=params.get("sport", "").strip(), venue=int(venue or 0) or None)

    def get_serializer(self, *args, **kwargs):
        batches = args[0] if args else []
        kwargs["context"] = _batch_context(self.request, batches)
        return BatchSerializer(*args, **kwargs)


class ClaimView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="coupon_claim",
        tags=["coupons"],
        summary="Claim a coupon",
        request=None,
        responses={
            401: error_response("Not signed in, or an invalid token."),
            201: CouponSerializer,
            404: error_response("No such batch open for claims."),
            409: error_response("coupons_gone, claim_limit_reached or batch_not_claimable."),
        },
    )
    def post(self, request, batch_id: str):
        batch = CouponBatch.objects.filter(pk=_digits(batch_id)).exclude(status=BatchStatus.DRAFT).first()
        if batch is None:
            raise NotFound()
        coupon = claim_coupon(batch=batch, user=request.user, actor=request.user)
        coupon = my_coupons(user=request.user).get(pk=coupon.pk)
        context = _batch_context(request, [coupon.batch])
        return Response(CouponSerializer(coupon, context=context).data, status=status.HTTP_201_CREATED)


def _digits(value: str) -> int:
    if not str(value).isdigit():
        raise NotFound()
    return int(value)


def _my_order(request, order_id) -> Order:
    # Someone else's order answers like a missing one.
    return own_order(request.user, str(order_id))


class MyCouponsView(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = CouponSerializer

    @extend_schema(
        operation_id="me_coupons",
        summary="My coupons",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=["available", "used", "void", "expired"]),
            OpenApiParameter(
                "usable_for", OpenApiTypes.INT, description="An order id of mine: only coupons that fit it."
            ),
        ],
        responses={
            401: error_response("Not signed in, or an invalid token."),
            200: UsableCouponSerializer(many=True),
            400: error_response("Bad status or usable_for."),
            404: error_response("No such page, or no such order of mine."),
        },
        tags=["coupons"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        status_ = params.get("status", "").strip()
        if status_ and status_ not in {"available", "used", "void", "expired"}:
            raise ValidationFailed(fields={"status": [_("One of available, used, void, expired.")]})
        usable_for = params.get("usable_for", "").strip()
        if not usable_for:
            return my_coupons(user=self.request.user, status=status_)
        if not usable_for.isdigit():
            raise ValidationFailed(fields={"usable_for": [_("An order id.")]})
        order = _my_order(self.request, usable_for)
        facts = OrderFacts.of(order)
        now = timezone.now()
        fitting = []
        for coupon in my_coupons(user=self.request.user, status=CouponStatus.AVAILABLE):
            if why_not(coupon=coupon, facts=facts, now=now) is None:
                coupon.discount = discount_for(face_value=coupon.batch.face_value, subtotal=order.subtotal)
                fitting.append(coupon)
        fitting.sort(key=lambda c: (-c.discount, c.batch.valid_until))
        self.serializer_class = UsableCouponSerializer
        return fitting

    def get_serializer(self, *args, **kwargs):
        coupons = args[0] if args else []
        kwargs["context"] = _batch_context(self.request, [c.batch for c in coupons])
        return self.serializer_class(*args, **kwargs)


class CouponRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    discount = serializers.DecimalField(max_digits=10, decimal_places=2)


class OrderCouponRequestSerializer(serializers.Serializer):
    coupon_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class OrderWithCouponSerializer(OrderSerializer):
    """The order as GET /api/v1/orders/{id} shows it, with the coupon on it."""

    coupon = CouponRefSerializer(allow_null=True)


def render_with_coupon(order: Order) -> dict:
    order = own_orders(order.user).get(pk=order.pk)
    redemption = active_redemption(order)
    coupon = None
    if redemption is not None:
        coupon = {
            "id": redemption.coupon_id,
            "code": redemption.coupon.code,
            "name": redemption.coupon.batch.name,
            "discount": redemption.discount,
        }
    return OrderWithCouponSerializer({**order_payload(order), "coupon": coupon}).data


class OrderCouponView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="order_coupon_apply",
        tags=["coupons"],
        summary="Use a coupon on an order awaiting payment",
        request=OrderCouponRequestSerializer,
        responses={
            401: error_response("Not signed in, or an invalid token."),
            200: OrderWithCouponSerializer,
            400: error_response("coupon_not_applicable, with the reason."),
            404: error_response("No such order or coupon of mine."),
            409: error_response("coupon_already_applied or order_not_editable."),
        },
    )
    def post(self, request, order_id: str):
        data = OrderCouponRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = _my_order(request, order_id)
        coupon = Coupon.objects.filter(pk=data.validated_data["coupon_id"], user=request.user).first()
        if coupon is None:
            raise NotFound(fields={"coupon_id": [_("No such coupon of yours.")]})
        order = close_payments_for_coupon_change(order=order, actor=request.user)
        order = apply_coupon(order=order, coupon=coupon, actor=request.user)
        return Response(render_with_coupon(order))

    @extend_schema(
        operation_id="order_coupon_remove",
        summary="Take the coupon off an order awaiting payment",
        request=None,
        responses={
            401: error_response("Not signed in, or an invalid token."),
            200: OrderWithCouponSerializer,
            404: error_response("No such order of mine."),
            409: error_response("order_not_editable."),
        },
        tags=["coupons"],
    )
    def delete(self, request, order_id: str):
        order = close_payments_for_coupon_change(order=_my_order(request, order_id), actor=request.user)
        order = remove_coupon(order=order, actor=request.user)
        return Response(render_with_coupon(order))
