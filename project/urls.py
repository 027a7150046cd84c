from django.conf import settings
from django.contrib import admin
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.urls import include, path
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.defaults import bad_request, page_not_found, server_error
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# Swagger UI injects one <style> element; only its page allows inline styles (never scripts).
docs_csp = {**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]}

urlpatterns = [
    path("", include("tracker.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", csp_override(docs_csp)(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="api-docs"),
    path("admin/", admin.site.urls),
]


def not_found(request, exception):
    """404: JSON under /api/ (an API client reads it like any other error), the page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return page_not_found(request, exception)


def bad_request_answer(request, exception):
    """400 raised by Django itself (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, a bad Host): JSON under
    /api/, with a too-large body a 413 as the API's own size limit answers."""
    if request.path.startswith("/api/"):
        if isinstance(exception, RequestDataTooBig):
            return JsonResponse({"detail": _("This body is too large.")}, status=413)
        return JsonResponse({"detail": _("Bad request.")}, status=400)
    return bad_request(request, exception)


def server_error_answer(request):
    """500: an API client gets JSON it can read, never the HTML page (which it cannot show)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Something went wrong on our side. Please try again later.")}, status=500)
    return server_error(request)


handler400 = bad_request_answer
handler404 = not_found
handler500 = server_error_answer
