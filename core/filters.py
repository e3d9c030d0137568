from functools import reduce
from operator import or_

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SearchFilterSet(django_filters.FilterSet):
    """A FilterSet with a `q` free-text filter over `search_fields` (case-insensitive, any word order)."""

    search_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(method="search", label=_("Search"))

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                reduce(or_, (Q(**{f"{f}__icontains": word}) for f in self.search_fields))
            )
        return queryset
