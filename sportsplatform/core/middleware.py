from .net import client_ip


class ClientIPMiddleware:
    """Resolves the client IP once per request (request.client_ip) for audit and rate limits."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_ip = client_ip(request)
        return self.get_response(request)
