"""Paging for API lists: limit and offset, and a clear 400 for values that are not counts."""

from django.db.models import Count, QuerySet, Window
from django.db.models.query import ModelIterable
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination


LAST_OFFSET = 2**62  # PostgreSQL's OFFSET is a bigint: beyond any list, and past the end


class StrictLimitOffsetPagination(LimitOffsetPagination):
    max_limit = 500

    def _count(self, request, name):
        if name not in request.query_params:
            return None
        value = request.query_params[name]
        if not (value.isascii() and value.isdigit()):
            raise ValidationError({name: [_("Enter a whole number, 0 or more.")]})
        return int(value)

    def get_limit(self, request):
        limit = self._count(request, self.limit_query_param)
        return self.default_limit if limit is None else min(max(limit, 1), self.max_limit)

    def get_offset(self, request):
        return self._count(request, self.offset_query_param) or 0

    def paginate_queryset(self, queryset, request, view=None):
        """For a view that asks for it (count_with_page: a person's own entries, a few hundred rows
        a year), DRF's page with the count read along with it (COUNT(*) OVER (), counted before
        the LIMIT): one statement where DRF sends two, each a whole ORM compilation (issue 20).
        The window reads every matching row, so a long list (the access log) keeps DRF's way. A
        page past the end has no row to carry the count: counted on its own, as DRF does."""
        if (not getattr(view, "count_with_page", False) or not isinstance(queryset, QuerySet)
                or queryset._iterable_class is not ModelIterable or queryset.query.distinct or queryset.query.combinator):
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        rows = [] if self.offset > LAST_OFFSET else list(
            queryset.annotate(page_total_rows=Window(Count("pk")))[self.offset:self.offset + self.limit])
        self.count = rows[0].page_total_rows if rows else (queryset.count() if self.offset else 0)
        if self.count > self.limit and self.template is not None:
            self.display_page_controls = True
        return rows
