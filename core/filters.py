from functools import reduce
from operator import or_

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import ReminderLog


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


class ColumnChoiceFilter(django_filters.MultipleChoiceFilter):
    """Any of several values of a column of the row itself. Such a filter cannot repeat a row, so it leaves
    out the DISTINCT django-filter adds by default: on a large table that DISTINCT has the database sort every
    matching row before it can return one page."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


class AnyRelatedFilter(django_filters.ModelMultipleChoiceFilter):
    """Rows linked (many-to-many) to any of the chosen objects, as `pk IN (subquery)`: no join that repeats
    rows, so no DISTINCT over the result either."""

    def filter(self, qs, value):
        if not value:
            return qs
        linked = qs.model._default_manager.filter(**{f"{self.field_name}__in": value})
        return qs.filter(pk__in=linked.values("pk"))


def owners_of(model, field: str = "owner") -> QuerySet:
    """The users who own at least one `model` row, by username: an owner filter's choices (one EXISTS per
    user, not a DISTINCT over the model's rows)."""
    owned = model._default_manager.filter(**{field: OuterRef("pk")})
    return get_user_model().objects.filter(Exists(owned)).order_by("username")


class NotificationFilterSet(django_filters.FilterSet):
    """The signed-in user's reminders: sent, waiting for the digest, or failing."""

    state = django_filters.ChoiceFilter(
        choices=ReminderLog.State.choices, method="by_state", label=_("State")
    )
    q = django_filters.CharFilter(field_name="message", lookup_expr="icontains", label=_("Search"))

    def by_state(self, queryset, name, value):
        return queryset.filter(ReminderLog.in_state(value))


class StableOrderingFilter(django_filters.OrderingFilter):
    """Ordering with the primary key as the last tie-breaker, so a page, the next page and the export
    list rows with equal sort values in the same order on every database."""

    def filter(self, queryset, value):
        queryset = super().filter(queryset, value)
        if value:
            queryset = queryset.order_by(*queryset.query.order_by, "pk")
        return queryset


class SelectedOnlySelect(forms.Select):
    """A select over a large table (10,000 vendors) that lists only the current choice.

    Such a filter is set by links (e.g. a vendor page's "Contracts" link) or by the URL; free-text
    search finds the rows otherwise. Listing every vendor would cost more than the page itself.
    """

    def optgroups(self, name, value, attrs=None):
        field = self.choices.field
        chosen = [v for v in value if str(v).isdigit()]
        selected = field.queryset.filter(pk__in=chosen) if chosen else field.queryset.none()
        options = [
            (None, [self.create_option(name, "", field.empty_label or "", not chosen, 0, attrs=attrs)], 0)
        ]
        for index, obj in enumerate(selected, start=1):
            option = self.create_option(
                name, str(obj.pk), field.label_from_instance(obj), True, index, attrs=attrs
            )
            options.append((None, [option], index))
        return options


class LargeTableChoiceFilter(django_filters.ModelChoiceFilter):
    """A foreign-key filter whose form offers only the chosen row (see SelectedOnlySelect)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", SelectedOnlySelect)
        super().__init__(*args, **kwargs)
