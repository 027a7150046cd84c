from django.conf import settings
from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from django.views.defaults import page_not_found
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
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
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


handler404 = not_found
