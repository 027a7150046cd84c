"""Paging for API lists: limit and offset, and a clear 400 for values that are not counts."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination


class StrictLimitOffsetPagination(LimitOffsetPagination):
    max_limit = 500

    def _count(self, request, name):
        if name not in request.query_params:
            return None
        value = request.query_params[name]
        if not value.isdigit():
            raise ValidationError({name: [_("Enter a whole number, 0 or more.")]})
        return int(value)

    def get_limit(self, request):
        limit = self._count(request, self.limit_query_param)
        return self.default_limit if limit is None else min(max(limit, 1), self.max_limit)

    def get_offset(self, request):
        return self._count(request, self.offset_query_param) or 0
