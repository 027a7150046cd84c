"""Two baselines: a hello view, and one PostgreSQL INSERT of the request's body (the floor
for any durable write: one round trip, committed, nothing else)."""

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse


def hello(request):
    return HttpResponse(b"Hello", content_type="text/plain")


def insert(request, entry_id):
    if request.method != "PUT":
        return HttpResponseNotAllowed(["PUT"])
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {settings.FLOOR_TABLE} (id, body) VALUES (%s, %s)",
                       [entry_id, request.body.decode()])
    return JsonResponse({"id": str(entry_id)}, status=201)
