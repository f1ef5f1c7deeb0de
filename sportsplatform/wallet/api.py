"""The sports card API (一卡通):

GET  /api/v1/me/card            {"number", "balance", "status"} ("not_opened" before the first top-up)
POST /api/v1/me/card            opens the card (201; 200 with the card if already open)
GET  /api/v1/me/card/entries    the statement: paged ledger entries, newest first
POST /api/v1/me/card/topups     {"amount"} → 201 the top-up order; pay it with POST /api/v1/orders/{id}/pay
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from sportsplatform.api.schema import error_response
from sportsplatform.ledger.models import Entry
from sportsplatform.orders.api import OrderSerializer, render_order

from .domain.cards import card_for, open_card
from .domain.topup import create_topup_order
from .queries import card_entries

NOT_OPENED = "not_opened"


class CardSerializer(serializers.Serializer):
    number = serializers.CharField(allow_null=True, help_text="16 digits; null before the card is opened.")
    balance = serializers.DecimalField(max_digits=14, decimal_places=2, help_text='Yuan, e.g. "300.00".')
    status = serializers.ChoiceField(choices=["active", "frozen", NOT_OPENED])
    opened_at = serializers.DateTimeField(allow_null=True)


def card_data(card) -> dict:
    if card is None:
        return {"number": None, "balance": "0.00", "status": NOT_OPENED, "opened_at": None}
    return {"number": card.number, "balance": card.account.balance, "status": card.status, "opened_at": card.opened_at}


class CardView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_card",
        summary="My sports card and its balance",
        responses={401: error_response("Not signed in, or an invalid token."), 200: CardSerializer},
        tags=["card"],
    )
    def get(self, request):
        return Response(CardSerializer(card_data(card_for(request.user))).data)

    @extend_schema(
        operation_id="me_card_open",
        summary="Open my sports card",
        request=None,
        responses={
            401: error_response("Not signed in, or an invalid token."),
            201: CardSerializer,
            200: CardSerializer,
        },
        tags=["card"],
    )
    def post(self, request):
        existed = card_for(request.user) is not None
        card = open_card(user=request.user, actor=request.user)
        return Response(
            CardSerializer(card_data(card)).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )


class EntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    time = serializers.DateTimeField(source="transaction.created_at")
    kind = serializers.CharField(
        source="transaction.kind", help_text="What moved the money: `payment.captured`, `refund`, …"
    )
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Positive: onto the card; negative: off it."
    )
    balance_after = serializers.DecimalField(max_digits=14, decimal_places=2)
    order_id = serializers.IntegerField(source="transaction.order_id", allow_null=True)
    order_number = serializers.SerializerMethodField()
    order_kind = serializers.SerializerMethodField()
    reference = serializers.CharField(source="transaction.reference")

    def get_order_number(self, entry: Entry) -> str | None:
        order = entry.transaction.order
        return order.number if order is not None else None

    def get_order_kind(self, entry: Entry) -> str | None:
        order = entry.transaction.order
        return order.kind if order is not None else None


class CardEntriesView(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = EntrySerializer

    @extend_schema(
        operation_id="me_card_entries",
        summary="My sports card statement",
        responses={
            401: error_response("Not signed in, or an invalid token."),
            200: EntrySerializer(many=True),
            404: error_response("No such page."),
        },
        tags=["card"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return card_entries(self.request.user)


class TopupRequestSerializer(serializers.Serializer):
    amount = serializers.CharField(help_text='Yuan, e.g. "100" or "99.50"; 1–5000 per top-up.')


class TopupView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_card_topup",
        summary="Top up my sports card",
        description="Creates a top-up order awaiting payment; pay it with POST /api/v1/orders/{id}/pay "
        '{"method": "sandbox"|"wechat"|"alipay"}. The card is opened on the first top-up.',
        request=TopupRequestSerializer,
        responses={
            401: error_response("Not signed in, or an invalid token."),
            201: OrderSerializer,
            400: error_response("Amount outside 1–5000 yuan or above the card's limit."),
            409: error_response("card_frozen"),
        },
        tags=["card"],
    )
    def post(self, request):
        data = TopupRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = create_topup_order(user=request.user, amount=data.validated_data["amount"], actor=request.user)
        return Response(render_order(order), status=status.HTTP_201_CREATED)
