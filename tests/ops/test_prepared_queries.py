"""`kernel.queries.PreparedQuery` serves the hot reads from SQL the ORM compiled once; it
must refuse the querysets it can't replay faithfully, at their first use."""

import pytest

from kernel.queries import PreparedQuery
from orders.models import Order


@pytest.mark.django_db
def test_values_go_where_the_orm_put_them(place_order, visitor_client):
    placed = [place_order(visitor_client) for _ in range(2)]
    by_ref = PreparedQuery(
        lambda key, ref: Order.objects.filter(ref=ref).order_by().values_list("ref", "extra")
    )
    for order in placed:
        assert by_ref.rows(None, ref=order["ref"]) == [(order["ref"], order["extra"])]
    assert by_ref.rows(None, ref="no-such-ref") == []


@pytest.mark.django_db
def test_a_lookup_that_changes_the_value_is_refused():
    contains = PreparedQuery(
        lambda key, ref: Order.objects.filter(ref__contains=ref).values_list("pk")
    )
    with pytest.raises(ValueError, match="only plain equality"):
        contains.rows(None, ref="2026")


@pytest.mark.django_db
def test_a_shape_that_depends_on_the_value_is_refused():
    def build(key, user_id):
        # A different query for every value: can't be replayed with another one.
        return Order.objects.filter(user_id=user_id, ref=f"ref-{user_id}").values_list("pk")

    with pytest.raises(ValueError, match="depends on them"):
        PreparedQuery(build).rows(None, user_id=3)
