from django.utils import translation


class ApiAcceptLanguageMiddleware:
    """API clients (mini-program, partners) choose the language with Accept-Language; a language
    cookie left by the website must not override it. Placed after LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and request.META.get("HTTP_ACCEPT_LANGUAGE"):
            language = translation.get_language_from_request(request, check_path=False)
            header_lang = translation.trans_real.parse_accept_lang_header(request.META["HTTP_ACCEPT_LANGUAGE"])
            for code, _q in header_lang:
                try:
                    language = translation.get_supported_language_variant(code)
                    break
                except LookupError:
                    continue
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        return response
