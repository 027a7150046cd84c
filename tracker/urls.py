from django.contrib.auth import views as auth_views
from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token

from . import api, views

urlpatterns = [
    path("", views.today, name="today"),
    path("history/", views.history, name="history"),
    path("settings/", views.account_settings, name="settings"),
    path("help/", views.help_page, name="help"),
    path("healthz/", views.healthz, name="healthz"),
    path("signin/", auth_views.LoginView.as_view(template_name="tracker/signin.html", redirect_authenticated_user=True),
         name="signin"),
    path("signout/", auth_views.LogoutView.as_view(), name="signout"),
    path("api/v1/me/", api.Me.as_view(), name="api-me"),
    path("api/v1/auth/token/", obtain_auth_token, name="api-token"),
]

# The three kinds of entry share their page and API routes: /checkin/, /urge/, /reflection/.
for kind in ("checkin", "urge", "reflection"):
    urlpatterns += [
        path(f"{kind}/", views.entry_new, {"kind": kind}, name=f"{kind}_new"),
        path(f"{kind}/<uuid:entry_id>/", views.entry_edit, {"kind": kind}, name=f"{kind}_edit"),
        path(f"{kind}/<uuid:entry_id>/delete/", views.entry_delete, {"kind": kind}, name=f"{kind}_delete"),
    ]

for plural, listing, detail in api.ENTRY_ENDPOINTS:
    urlpatterns += [
        path(f"api/v1/{plural}/", listing.as_view(), name=f"api-{plural}"),
        path(f"api/v1/{plural}/<uuid:entry_id>/", detail.as_view(), name=f"api-{plural}-detail"),
    ]
