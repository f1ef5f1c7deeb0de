"""Orders API (API.md, "Booking and paying"): one order, paying it, cancelling it, my orders.

Only the order's owner sees it: anyone else's id answers 404 exactly like a missing one. Money is a
string of yuan with two decimals, times ISO 8601 in Asia/Shanghai (+08:00)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from sportsplatform.api.schema import error_response
from sportsplatform.core.errors import NotFound
from sportsplatform.core.net import client_ip
from sportsplatform.payments.domain.pay import start_payment
from sportsplatform.payments.models import Refund

from .domain.cancel import cancel_order, refund_preview
from .models import Order, OrderStatus, PaymentMethod


def money(**kwargs):
    return serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=True, **kwargs)


class OrderVenueSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class OrderLineSerializer(serializers.Serializer):
    kind = serializers.CharField()
    description = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = money()
    amount = money()


class OrderTicketSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Typed at the desk.")
    qr = serializers.CharField(help_text="What the QR code carries (signed).")
    issued_at = serializers.DateTimeField()
    used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class OrderRefundPreviewSerializer(serializers.Serializer):
    amount = money(help_text="What cancelling now gives back.")
    percent = serializers.IntegerField()
    rule = serializers.CharField(help_text="The refund policy that applies, in words.")


class OrderRefundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    amount = money()
    status = serializers.CharField(help_text="pending, succeeded or failed (tried again).")
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    succeeded_at = serializers.DateTimeField(allow_null=True)


class OrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField(help_text="pending_payment, paid, used, cancelled, refunded or expired.")
    kind = serializers.CharField(help_text="booking, event, course, topup or mall.")
    amount = money(help_text="Payable: subtotal − discount.")
    subtotal = money()
    discount = money()
    refunded_amount = money()
    expires_at = serializers.DateTimeField(allow_null=True, help_text="Pay by then, or the order expires.")
    paid_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    venue = OrderVenueSerializer(allow_null=True)
    lines = OrderLineSerializer(many=True)
    payment_method = serializers.CharField(help_text="sandbox, wechat, alipay or card; empty until paid.")
    ticket = OrderTicketSerializer(allow_null=True, help_text="The e-ticket of a paid booking; null otherwise.")
    refund_preview = OrderRefundPreviewSerializer(
        allow_null=True, help_text="For a paid order: what cancelling now would refund (detail only; null in lists)."
    )
    refunds = OrderRefundSerializer(many=True)


def order_payload(order: Order, *, detail: bool = True) -> dict:
    ticket = getattr(order, "ticket", None)
    preview = None
    if detail and order.status == OrderStatus.PAID:
        quote = refund_preview(order=order)
        preview = {"amount": quote.amount, "percent": quote.percent, "rule": str(quote.rule)}
    return {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "kind": order.kind,
        "amount": order.amount,
        "subtotal": order.subtotal,
        "discount": order.discount,
        "refunded_amount": order.refunded_amount,
        "expires_at": order.expires_at,
        "paid_at": order.paid_at,
        "closed_at": order.closed_at,
        "created_at": order.created_at,
        "venue": {"id": order.venue.pk, "name": order.venue.name} if order.venue_id else None,
        "lines": [
            {
                "kind": line.kind,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "amount": line.amount,
            }
            for line in order.lines.all()
        ],
        "payment_method": order.payment_method,
        "ticket": _ticket(ticket) if ticket is not None else None,
        "refund_preview": preview,
        "refunds": [
            {
                "id": r.pk,
                "amount": r.amount,
                "status": r.status,
                "reason": r.reason,
                "created_at": r.created_at,
                "succeeded_at": r.succeeded_at,
            }
            for r in order.refunds.all()
        ],
    }


def _ticket(ticket) -> dict:
    from sportsplatform.booking.domain.tickets import ticket_token

    return {
        "code": ticket.code,
        "qr": ticket_token(ticket),
        "issued_at": ticket.issued_at,
        "used_at": ticket.used_at,
        "revoked_at": ticket.revoked_at,
    }


def render_order(order: Order, *, detail: bool = True) -> dict:
    return OrderSerializer(order_payload(order, detail=detail)).data


def own_orders(user):
    return (
        Order.objects.filter(user=user)
        .select_related("venue", "ticket")
        .prefetch_related("lines", Prefetch("refunds", queryset=Refund.objects.order_by("created_at", "id")))
    )


def own_order(user, pk: str) -> Order:
    if not str(pk).isdecimal():
        raise NotFound()
    order = own_orders(user).filter(pk=int(pk)).first()
    if order is None:
        raise NotFound()
    return order


ORDER_ERRORS = {
    401: error_response("Not signed in."),
    404: error_response("No such order of yours."),
}


class OrderDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="order_detail",
        summary="One of my orders",
        description="Status is one of pending_payment, paid, used, cancelled, refunded, expired.",
        responses={200: OrderSerializer, **ORDER_ERRORS},
    )
    def get(self, request, pk: str):
        return Response(render_order(own_order(request.user, pk)))


class OrderPayRequestSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    channel = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=16,
        help_text="wechat: `jsapi` (mini-program / official account, needs openid) or `native` (QR code); "
        "alipay: `page` or `wap`. Default: what suits the request.",
    )
    openid = serializers.CharField(
        required=False, allow_blank=True, max_length=128, help_text="The payer's openid, for WeChat JSAPI."
    )


class OrderPaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    method = serializers.CharField()
    channel = serializers.CharField()
    status = serializers.CharField(help_text="created, pending, succeeded, failed, closed or unmatched.")
    amount = money()
    expires_at = serializers.DateTimeField(allow_null=True)


class OrderPayResponseSerializer(serializers.Serializer):
    status = serializers.CharField(
        help_text="`paid`: paid already (card, or nothing to pay); `pending`: pay with params."
    )
    params = serializers.DictField(
        help_text="sandbox / alipay: {pay_url}; wechat native: {code_url}; wechat jsapi: the wx.requestPayment "
        "parameters (appId, timeStamp, nonceStr, package, signType, paySign); card: {}."
    )
    payment = OrderPaymentSerializer(allow_null=True)
    order = OrderSerializer()


class OrderPayView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="order_pay",
        summary="Pay for one of my orders",
        description=(
            "Starts paying with the method; the provider's deadline is the order's expires_at. Errors: 400 "
            "`payment_method_unavailable`, `invalid_channel`, `openid_required`; 409 `illegal_transition` (not "
            "awaiting payment), `order_expired`, `insufficient_funds` (card); 502 `payment_provider_error`."
        ),
        request=OrderPayRequestSerializer,
        responses={
            200: OrderPayResponseSerializer,
            400: error_response("Invalid input (error.fields names the fields)."),
            409: error_response("The order cannot be paid now."),
            502: error_response("The payment provider could not be reached."),
            **ORDER_ERRORS,
        },
    )
    def post(self, request, pk: str):
        order = own_order(request.user, pk)
        data = OrderPayRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agent = request.headers.get("User-Agent", "")
        payment = start_payment(
            order=order,
            method=data.validated_data["method"],
            channel=data.validated_data.get("channel", ""),
            actor=request.user,
            request_info={
                "openid": data.validated_data.get("openid", ""),
                "ip": client_ip(request),
                "user_agent": agent[:255],
                "mobile": "Mobile" in agent or "MicroMessenger" in agent,
                "base_url": request.build_absolute_uri("/").rstrip("/"),
                "return_url": _order_page(order),
            },
        )
        order = own_order(request.user, pk)
        paid = order.status == OrderStatus.PAID
        summary = None
        if payment is not None:
            summary = {
                "id": payment.pk,
                "method": payment.provider,
                "channel": payment.channel,
                "status": payment.status,
                "amount": payment.amount,
                "expires_at": payment.expires_at,
            }
        params = {k: v for k, v in (payment.params if payment else {}).items() if k != "openid"}
        return Response(
            OrderPayResponseSerializer(
                {
                    "status": "paid" if paid else "pending",
                    "params": {} if paid else params,
                    "payment": summary,
                    "order": order_payload(order),
                }
            ).data
        )


def _order_page(order: Order) -> str:
    from sportsplatform.payments.domain.links import order_link

    return order_link(order)


class OrderCancelRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class OrderCancelView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="order_cancel",
        summary="Cancel one of my orders",
        description=(
            "Unpaid: the payment is stopped at the provider and the order cancelled. Paid: refunded per the "
            "venue's policy (see refund_preview) back the way it was paid; status `refunded`, or `cancelled` "
            "when nothing is refundable. 409 `illegal_transition` for any other status."
        ),
        request=OrderCancelRequestSerializer,
        responses={
            200: OrderSerializer,
            400: error_response("Invalid input."),
            409: error_response("`illegal_transition`, or the payment service could not stop the payment."),
            **ORDER_ERRORS,
        },
    )
    def post(self, request, pk: str):
        order = own_order(request.user, pk)
        data = OrderCancelRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cancel_order(
            order=order,
            actor=request.user,
            reason=data.validated_data.get("reason") or gettext("Cancelled by the buyer"),
        )
        return Response(render_order(own_order(request.user, pk)))


class MyOrdersFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)


@extend_schema_view(
    get=extend_schema(
        operation_id="me_orders",
        summary="My orders",
        description="Newest first. `refund_preview` is null in the list; ask for the order for it.",
        parameters=[
            MyOrdersFilterSerializer,
            OpenApiParameter("page", int, description="Page number."),
            OpenApiParameter("page_size", int, description="Up to 100."),
        ],
        responses={
            200: OrderSerializer(many=True),
            400: error_response("Bad filter."),
            401: error_response("Not signed in."),
            404: error_response("No such page."),
        },
    )
)
class MyOrdersView(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = OrderSerializer

    def get_queryset(self):
        filters = MyOrdersFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        qs = own_orders(self.request.user).order_by("-created_at", "-id")
        if status := filters.validated_data.get("status"):
            qs = qs.filter(status=status)
        return qs

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(
            OrderSerializer([order_payload(o, detail=False) for o in page], many=True).data
        )
