from django.urls import path

from . import views

urlpatterns = [
    path("hello/", views.hello),
    path("insert/<uuid:entry_id>/", views.insert),
]
