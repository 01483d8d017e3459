from pypresscart import CheckoutLineItem, CheckoutRequest


def test_the_real_client_places_and_reads_an_order(presscart, make_token, team, profile, catalogue):
    client = presscart(make_token(team))

    order = client.orders.create_checkout(
        CheckoutRequest(
            profile_id=str(profile.pk),
            line_items=[CheckoutLineItem(product_id=str(catalogue[0].pk), quantity=2)],
        )
    )

    assert order.status == "CREATED"
    assert order.total == 20.0
    assert client.orders.get(order.id).reference_number == order.reference_number
