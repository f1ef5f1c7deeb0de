"""OpenAPI pieces every app's API shares: the error envelope of API.md."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable: `invalid`, `not_found`, `slot_taken`, ...")
    message = serializers.CharField(help_text="Human-readable, in the language of Accept-Language.")
    fields = serializers.DictField(help_text="Messages per invalid field or parameter.")


class ErrorSerializer(serializers.Serializer):
    """The error envelope of every API answer that is not a success (sportsplatform/api/errors.py)."""

    error = ErrorDetailSerializer()


def error_response(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)
