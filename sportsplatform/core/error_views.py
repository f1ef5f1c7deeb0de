"""Error pages. Under /api/ every error, including an unknown URL or a crash, answers in the
API's JSON error shape (API.md); elsewhere the site's own pages, in the user's language."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

from sportsplatform.api.errors import error_body


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("bad_request", _("The request could not be understood.")), status=400)
    return defaults.bad_request(request, exception, template_name="portal/errors/400.html")


def permission_denied(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("permission_denied", _("You do not have permission to do this.")), status=403)
    return defaults.permission_denied(request, exception, template_name="portal/errors/403.html")


def page_not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("not_found", _("Not found.")), status=404)
    return defaults.page_not_found(request, exception, template_name="portal/errors/404.html")


def server_error(request):
    if _is_api(request):
        return JsonResponse(
            error_body("server_error", _("Something went wrong on our side. Please try again later.")), status=500
        )
    return defaults.server_error(request, template_name="portal/errors/500.html")
