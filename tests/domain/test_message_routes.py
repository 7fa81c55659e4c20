"""Only careapp's own send is called sent: copied and opened messages say so on the timeline."""

from careapp.domain.message_routes import Route, outgoing_title, route_ending, route_of


def test_a_copied_or_opened_message_is_titled_as_such_and_a_sent_one_is_not_touched() -> None:
    copied = "Birthday greeting, by email: Hi" + route_ending(Route.COPIED, "email")
    opened = "Check-in, by text message" + route_ending(Route.OPENED, "message")
    assert route_of(copied) is Route.COPIED and outgoing_title("email", copied) == "Email copied"
    assert outgoing_title("message", opened) == "Text message opened in your messaging app"
    assert route_ending(Route.SENT, "email") == ""
    assert outgoing_title("email", "Birthday greeting, by email: Hi") is None  # older and sent ones
