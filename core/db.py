"""Query helpers that depend on the database engine."""

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL


def in_ids(field: str, ids: list[int]) -> Q:
    """`field IN ids`, with the ids bound as one array on PostgreSQL.

    A register loads its related rows for thousands of ids at a time; bound one parameter each, preparing
    such a query cost psycopg more than the database spent running it.
    """
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__in": RawSQL("SELECT unnest(%s::bigint[])", (list(ids),))})
    return Q(**{f"{field}__in": ids})
