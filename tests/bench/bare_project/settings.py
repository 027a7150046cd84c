"""The baseline for tests/bench/test_bench_http.py: Django with nothing of Steady's.

No apps, no middleware, no templates: what is left is Django's request handling and URL
routing under the same gunicorn settings as Steady, the ceiling any Django view works under.
The one database (the benchmark's own test database, from DATABASE_URL) is used only by the
INSERT route, with persistent connections as Steady keeps them.
"""

import os

import dj_database_url

SECRET_KEY = "bench-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bare_project.urls"
WSGI_APPLICATION = "bare_project.wsgi.application"
INSTALLED_APPS = []
MIDDLEWARE = []
USE_TZ = True
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
# The INSERT route's table, made (and emptied) by the benchmark before the server starts.
FLOOR_TABLE = "bench_http_floor"
