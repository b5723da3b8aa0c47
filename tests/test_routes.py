from hypothesis import given, settings
from hypothesis import strategies as st

from bot.flows.routes import MAX_BYTES, Route, RouteTooLong, route


def test_a_route_survives_the_round_trip_through_callback_data():
    r = route("page", "gb", "nrm")
    assert Route.decode(r.encode()) == r


def test_encoded_routes_carry_the_prefix_and_fit_telegrams_64_bytes():
    data = route("results", "shelter", "3").encode()
    assert data.startswith("w1|")
    assert len(data.encode()) <= MAX_BYTES


def test_a_route_too_long_for_telegram_is_refused_when_built():
    try:
        route("page", "a" * 40, "b" * 40).encode()
    except RouteTooLong:
        return
    raise AssertionError("expected RouteTooLong")


def test_forged_and_garbled_data_decode_to_nothing():
    for data in ("", "w1", "w2|menu", "w1||", "w1|menu|<script>", "x" * 65, None, b"w1|menu"):
        assert Route.decode(data) is None


@settings(max_examples=300)
@given(st.text(max_size=64))
def test_decoding_any_text_never_raises(data):
    decoded = Route.decode(data)
    assert decoded is None or Route.decode(decoded.encode()) == decoded


@settings(max_examples=200)
@given(st.binary(max_size=64))
def test_decoding_random_bytes_never_raises(raw):
    Route.decode(raw.decode("utf-8", "replace"))
