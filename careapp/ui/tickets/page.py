"""What the ticket screen needs, loaded in one job on the database thread."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from careapp.domain.tickets import ACTIVE_STATES, DONE_STATES, TRANSITIONS, TicketState

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.shop.staff import Actor
    from careapp.services.tickets.store import Ticket, TicketSummary


@dataclass(frozen=True)
class TicketPage:
    """A ticket with what its actions offer: the customer's other tickets (merge targets and
    earlier tickets it may repeat), the active staff (to assign), whether the actor may exclude
    it from the FCR figures, the service's repeat suggestions and the categories in use."""

    ticket: Ticket
    siblings: tuple[TicketSummary, ...]
    staff: tuple[str, ...]
    can_exclude: bool
    repeat_suggestions: tuple[TicketSummary, ...]
    categories: tuple[str, ...]


def load_ticket_page(services: Services, actor: Actor, ticket_id: int) -> TicketPage:
    """Database thread."""
    from careapp.services.shop.staff import OwnerAction

    ticket = services.tickets.ticket(ticket_id)
    siblings = tuple(
        t for t in services.tickets.tickets_for_customer(ticket.summary.customer_id) if t.id != ticket_id
    )
    suggestions: tuple[TicketSummary, ...] = ()
    if ticket.summary.merged_into_id is None:
        suggestions = tuple(services.tickets.suggest_repeat(ticket_id))
    return TicketPage(
        ticket=ticket,
        siblings=siblings,
        staff=tuple(member.name for member in services.staff.list()),
        can_exclude=services.staff.can(actor, OwnerAction.EXCLUDE_TICKETS),
        repeat_suggestions=suggestions,
        categories=tuple(services.tickets.categories()),
    )


@dataclass(frozen=True)
class Allowed:
    """Which of the ticket screen's actions the ticket's state allows."""

    start: bool
    wait_customer: bool
    wait_supplier: bool
    resolve: bool
    close: bool
    reopen: bool
    edit: bool  # assign, category, priority, repeat, not resolvable, merge
    exclude: bool


def allowed_actions(summary: TicketSummary, can_exclude: bool) -> Allowed:
    """Per state, following the domain's :data:`TRANSITIONS`; nothing for a merged-away ticket."""
    state = summary.state
    if summary.merged_into_id is not None:
        return Allowed(False, False, False, False, False, False, False, False)
    active = state in ACTIVE_STATES
    moves = TRANSITIONS[state]
    return Allowed(
        start=active and TicketState.OPEN in moves,
        wait_customer=active and TicketState.WAITING_CUSTOMER in moves,
        wait_supplier=active and TicketState.WAITING_SUPPLIER in moves,
        resolve=active,
        close=TicketState.CLOSED in moves,
        reopen=state in DONE_STATES,
        edit=True,
        exclude=can_exclude,
    )
