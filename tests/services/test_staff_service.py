"""The staff list, roles, and the owner-only actions, enforced in the services."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from careapp.context import Services
from careapp.domain.tickets import Outcome
from careapp.services.shop.staff import Actor, InvalidStaff, OwnerAction, PermissionDenied, Role
from careapp.services.tickets.service import ContactInput, NewTicket

NOW = dt.datetime(2026, 11, 23, 9, 30)


def refusal(action: str, name: str = "Sam") -> str:
    return (
        f"Only the owner can {action}; {name} is signed in as staff. "
        "Ask the owner, or switch to the owner, to do this."
    )


@pytest.fixture
def owner(services: Services) -> Actor:
    return services.staff.add(None, "Olivia", Role.OWNER).actor()


@pytest.fixture
def sam(services: Services, owner: Actor) -> Actor:
    return services.staff.add(owner, "Sam").actor()


def test_bootstrap_then_roles_apply(services: Services) -> None:
    staff = services.staff
    assert staff.list() == [] and not staff.roles_apply()
    # Before there is an owner, anyone may act and add: that is how the first owner is made.
    assert staff.can(Actor("anyone"), OwnerAction.DELETE_CUSTOMERS)
    first = staff.add(None, "  Olivia  Jones ", Role.OWNER)
    assert (first.name, first.role, first.active, first.created_at) == ("Olivia Jones", Role.OWNER, True, NOW)
    assert staff.roles_apply()
    with pytest.raises(PermissionDenied, match=r"^Choose who you are before making changes"):
        staff.add(None, "Sam")
    with pytest.raises(PermissionDenied, match="Stranger is not an active member of the staff list"):
        staff.add(Actor("Stranger", Role.OWNER), "Sam")
    sam = staff.add(Actor("olivia jones"), "Sam").actor()  # names match ignoring case and spacing
    with pytest.raises(PermissionDenied) as refused:
        staff.add(sam, "Jo")
    assert str(refused.value) == refusal("change the staff list")
    with pytest.raises(InvalidStaff, match=r"^SAM is already on the staff list"):
        staff.add(Actor("Olivia Jones"), "SAM")
    assert [(m.name, m.role) for m in staff.list()] == [("Olivia Jones", Role.OWNER), ("Sam", Role.STAFF)]
    assert staff.actor("sam") == Actor("Sam", Role.STAFF)


def test_the_role_that_counts_is_the_stored_one(services: Services, owner: Actor, sam: Actor) -> None:
    forged = Actor("Sam", Role.OWNER)
    assert not services.staff.can(forged, OwnerAction.EDIT_TOUCH_RULES)
    with pytest.raises(PermissionDenied) as refused:
        services.staff.require_owner(forged, OwnerAction.EDIT_TOUCH_RULES)
    assert str(refused.value) == refusal("edit touch rules")
    assert refused.value.action == "edit touch rules"
    services.staff.require_owner(owner, OwnerAction.EDIT_TOUCH_RULES)
    promoted = services.staff.set_role(owner, services.staff.list()[1].id, Role.OWNER)
    assert promoted.name == "Sam"
    services.staff.require_owner(sam, OwnerAction.EDIT_TOUCH_RULES)  # the old Actor, the new role


def test_members_are_deactivated_not_deleted_and_one_owner_stays(
    services: Services, owner: Actor, sam: Actor
) -> None:
    olivia_id, sam_id = (m.id for m in services.staff.list())
    with pytest.raises(
        InvalidStaff, match=r"^Olivia is the only active owner; make someone else owner first"
    ):
        services.staff.deactivate(owner, olivia_id)
    with pytest.raises(InvalidStaff, match="Olivia is the only active owner"):
        services.staff.set_role(owner, olivia_id, Role.STAFF)
    services.staff.deactivate(owner, sam_id)
    assert [m.name for m in services.staff.list()] == ["Olivia"]
    assert [(m.name, m.active) for m in services.staff.list(include_inactive=True)] == [
        ("Olivia", True),
        ("Sam", False),
    ]
    customer = services.tickets.create_walk_in(owner, "Ann", "Evans").id
    with pytest.raises(PermissionDenied) as refused:
        services.tickets.log_contact(sam, customer, ContactInput(summary="hello"))
    assert str(refused.value) == (
        "Sam is not an active member of the staff list; "
        "switch to someone who is, or ask the owner to add them."
    )
    with pytest.raises(InvalidStaff, match=r"^Sam is not an active member of the staff list"):
        services.staff.actor("Sam")
    renamed = services.staff.rename(owner, sam_id, "Samira")
    assert (renamed.name, renamed.active) == ("Samira", False)


def test_staff_cannot_delete_customers_the_owner_can_and_undo_restores_tickets(
    services: Services, owner: Actor, sam: Actor
) -> None:
    customer = services.tickets.create_walk_in(owner, "Ann", "Evans").id
    first = services.tickets.log_contact(
        sam, customer, ContactInput(new_ticket=NewTicket("Grinder"), outcome=Outcome.RESOLVED_NOW)
    )
    second = services.tickets.log_contact(sam, customer, ContactInput(new_ticket=NewTicket("Grinder")))
    assert first.ticket is not None and second.ticket is not None
    services.tickets.mark_repeat(
        sam, second.ticket.id, second.ticket.version, first.ticket.id, "same grinder"
    )
    third = services.tickets.log_contact(sam, customer, ContactInput(new_ticket=NewTicket("Grinder")))
    assert third.ticket is not None
    # Merged into a ticket with a higher id: the restore inserts it before its target.
    second_version = services.tickets.ticket(second.ticket.id).version
    services.tickets.merge(
        sam, second.ticket.id, second_version, third.ticket.id, third.ticket.version, "twice"
    )
    services.feedback.record(sam, customer, True, "Lovely service", first.ticket.id)
    before = [services.tickets.ticket(t.id) for t in services.tickets.tickets_for_customer(customer)]

    with pytest.raises(PermissionDenied) as refused:
        services.guard.delete_customer(sam, customer)
    assert str(refused.value) == refusal("delete customers")
    assert services.customers.get(customer).id == customer

    deleted = services.guard.delete_customer(owner, customer)
    assert services.tickets.tickets_for_customer(customer) == []
    with pytest.raises(PermissionDenied):
        services.guard.undo_delete(sam, deleted)
    services.guard.undo_delete(owner, deleted)
    after = [services.tickets.ticket(t.id) for t in services.tickets.tickets_for_customer(customer)]
    assert len(after) == 3 and after[1].summary.merged_into_id == third.ticket.id
    assert after == before  # tickets, contacts on them, state changes, audit trail, repeat and merge marks
    assert [f.text for f in services.feedback.for_customer(customer)] == ["Lovely service"]


def test_staff_cannot_export_the_customer_list(
    services: Services, owner: Actor, sam: Actor, tmp_path: Path
) -> None:
    services.tickets.create_walk_in(owner, "Ann", "Evans", email="ann@example.com")
    target = tmp_path / "everyone.json"
    with pytest.raises(PermissionDenied) as refused:
        services.guard.export_customers(sam, target, "json")
    assert str(refused.value) == refusal("export the whole customer list")
    assert not target.exists()
    assert services.guard.export_customers(owner, target, "json") == 1
    assert [c["first_name"] for c in json.loads(target.read_text(encoding="utf-8"))] == ["Ann"]
