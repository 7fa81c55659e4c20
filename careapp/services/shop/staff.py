"""The staff list, who is acting, and what only the owner may do.

Every service call that changes something takes an :class:`Actor`: the staff member chosen at start
(or switched to). The role that counts is the one in the database, read in the same transaction as
the change, so a role changed on another seat applies at once and an ``Actor`` built by hand grants
nothing.

Bootstrap: until the staff list has an active owner, careapp runs as a single-user shop: any name may
act and every action is allowed (this keeps a fresh install and the headless commands working). Once
an owner exists, the actor must be an active member of the list, and owner actions
(:class:`OwnerAction`) need the owner role; anything else raises :class:`PermissionDenied`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from careapp.db.database import Database
from careapp.db.models import SettingRecord, StaffRecord
from careapp.domain.pins import PIN_MAX_LENGTH, PIN_MIN_LENGTH, pin_problem  # noqa: F401 (re-exported)

Clock = Callable[[], dt.datetime]
MAX_NAME_LENGTH = 100
# The owner's PIN: a salted scrypt hash in the setting table (never the PIN itself). It guards the
# shop floor (a colleague switching to the owner by accident or on a whim), not the data: whoever
# controls the computer can read the database file, and `careapp staff reset-pin` removes the PIN.
OWNER_PIN_KEY = "staff/owner_pin"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


class Role(StrEnum):
    OWNER = "owner"
    STAFF = "staff"


class OwnerAction(StrEnum):
    """What only the owner may do; the value completes "only the owner can ..."."""

    DELETE_CUSTOMERS = "delete customers"
    EDIT_TOUCH_RULES = "edit touch rules"
    EXPORT_CUSTOMERS = "export the whole customer list"
    MANAGE_STAFF = "change the staff list"
    CHANGE_FCR_SETTINGS = "change the first-contact resolution windows"
    EXCLUDE_TICKETS = "exclude tickets from the first-contact resolution figures"


@dataclass(frozen=True)
class Actor:
    """Who is doing something. ``role`` is for display; permissions are checked against the database."""

    name: str
    role: Role = Role.STAFF


@dataclass(frozen=True)
class StaffMember:
    id: int
    name: str
    role: Role
    active: bool
    created_at: dt.datetime

    def actor(self) -> Actor:
        return Actor(self.name, self.role)


class PermissionDenied(Exception):
    """The actor may not do this; the message says why and what to do instead."""

    def __init__(self, message: str, actor: Actor, action: str) -> None:
        super().__init__(message)
        self.actor = actor
        self.action = action


class InvalidStaff(ValueError):
    """A staff change that cannot be made (empty or duplicate name, last owner, unknown member)."""


def denied_sentence(actor_name: str, action: str) -> str:
    return (
        f"Only the owner can {action}; {actor_name} is signed in as staff. "
        "Ask the owner, or switch to the owner, to do this."
    )


def _has_owner(session: Session) -> bool:
    statement = select(StaffRecord.id).where(StaffRecord.role == Role.OWNER, StaffRecord.active).limit(1)
    return session.scalar(statement) is not None


def _find(session: Session, name: str) -> StaffRecord | None:
    """The member called ``name``, ignoring case and spacing (staff lists are short)."""
    key = " ".join(name.split()).casefold()
    return next((r for r in session.scalars(select(StaffRecord)) if r.name.casefold() == key), None)


def check_actor(session: Session, actor: Actor) -> Role:
    """The actor's role as stored; refuses a name that is not an active member (once roles apply)."""
    if not actor.name.strip():
        raise PermissionDenied("Choose who you are before making changes.", actor, "make changes")
    if not _has_owner(session):
        return Role.OWNER
    record = _find(session, actor.name)
    if record is None or not record.active:
        raise PermissionDenied(
            f"{actor.name} is not an active member of the staff list; "
            "switch to someone who is, or ask the owner to add them.",
            actor,
            "make changes",
        )
    return Role(record.role)


def check_member(session: Session, name: str) -> str:
    """The stored spelling of an active member's name (e.g. to assign a ticket); any name is accepted
    before roles apply."""
    if not _has_owner(session):
        return " ".join(name.split())
    record = _find(session, name)
    if record is None or not record.active:
        raise InvalidStaff(f"{name} is not an active member of the staff list.")
    return record.name


def check_owner(session: Session, actor: Actor, action: OwnerAction | str) -> None:
    """Refuse unless the actor is an owner. Before an owner exists everything is allowed, even with
    no name (a change that records who still needs one: see :func:`check_actor`)."""
    if not _has_owner(session):
        return
    if check_actor(session, actor) is not Role.OWNER:
        raise PermissionDenied(denied_sentence(actor.name, str(action)), actor, str(action))


def hash_pin(pin: str, salt: bytes | None = None) -> dict[str, object]:
    """The stored form of a PIN: salt and scrypt hash (hex) with the cost parameters used."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return {"salt": salt.hex(), "hash": digest.hex(), "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P}


def pin_matches(pin: str, stored: dict[str, object]) -> bool:
    salt = bytes.fromhex(str(stored["salt"]))
    n, r, p = (int(str(stored[k])) for k in ("n", "r", "p"))
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    return hmac.compare_digest(digest.hex(), str(stored["hash"]))


def _stored_pin(session: Session) -> dict[str, object] | None:
    record = session.get(SettingRecord, OWNER_PIN_KEY)
    return None if record is None else dict(json.loads(record.value_json))


def _member(record: StaffRecord) -> StaffMember:
    return StaffMember(record.id, record.name, Role(record.role), record.active, record.created_at)


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidStaff("A staff member needs a name.")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidStaff(f"A staff name can be at most {MAX_NAME_LENGTH} characters long.")
    return cleaned


class StaffService:
    """The staff list with roles. One short session per call; plain :class:`StaffMember` out."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def list(self, include_inactive: bool = False) -> list[StaffMember]:
        statement = select(StaffRecord).order_by(func.lower(StaffRecord.name), StaffRecord.id)
        if not include_inactive:
            statement = statement.where(StaffRecord.active)
        with self._db.session() as session:
            return [_member(r) for r in session.scalars(statement)]

    def roles_apply(self) -> bool:
        """Whether an owner exists, so roles are enforced (see the module docstring)."""
        with self._db.session() as session:
            return _has_owner(session)

    def actor(self, name: str) -> Actor:
        """The actor for an active member (choosing who you are at start, or switching)."""
        with self._db.session() as session:
            record = _find(session, name)
            if record is None or not record.active:
                if not _has_owner(session):
                    return Actor(" ".join(name.split()), Role.OWNER)
                raise InvalidStaff(f"{name} is not an active member of the staff list.")
            return Actor(record.name, Role(record.role))

    def can(self, actor: Actor, action: OwnerAction) -> bool:
        """Whether ``actor`` may do ``action`` now (for the UI to grey out what would be refused)."""
        try:
            self.require_owner(actor, action)
        except PermissionDenied:
            return False
        return True

    def require_owner(self, actor: Actor, action: OwnerAction | str) -> None:
        """Raise :class:`PermissionDenied` unless ``actor`` is an owner. Services without a database
        change of their own (e.g. editing touch rules) call this before acting."""
        with self._db.session() as session:
            check_owner(session, actor, action)

    def has_owner_pin(self) -> bool:
        with self._db.session() as session:
            return _stored_pin(session) is not None

    def check_owner_pin(self, pin: str) -> bool:
        """Whether ``pin`` is the owner's PIN (true when there is none: nothing to guard)."""
        with self._db.session() as session:
            stored = _stored_pin(session)
        return stored is None or pin_matches(pin, stored)

    def set_owner_pin(self, actor: Actor | None, pin: str) -> None:
        """Set (or change) the owner's PIN; only the owner, once there is one."""
        problem = pin_problem(pin)
        if problem:
            raise InvalidStaff(problem)
        value = json.dumps(hash_pin(pin), sort_keys=True)
        with self._db.session() as session:
            if _has_owner(session):
                check_owner(session, actor or Actor(""), OwnerAction.MANAGE_STAFF)
            record = session.get(SettingRecord, OWNER_PIN_KEY)
            if record is None:
                session.add(SettingRecord(key=OWNER_PIN_KEY, value_json=value, version=1))
            else:
                record.value_json, record.version = value, record.version + 1

    def remove_owner_pin(self) -> bool:
        """Remove the PIN (``careapp staff reset-pin``, on the machine itself); whether there was one."""
        with self._db.session() as session:
            record = session.get(SettingRecord, OWNER_PIN_KEY)
            if record is None:
                return False
            session.delete(record)
            return True

    def add(self, actor: Actor | None, name: str, role: Role = Role.STAFF) -> StaffMember:
        """Add a member. Needs an owner once one exists; before that anyone (or ``None``) may add,
        which is how the first owner is created."""
        cleaned = _clean_name(name)
        with self._db.session() as session:
            if _has_owner(session):
                check_owner(session, actor or Actor(""), OwnerAction.MANAGE_STAFF)
            if _find(session, cleaned) is not None:
                raise InvalidStaff(f"{cleaned} is already on the staff list.")
            record = StaffRecord(name=cleaned, role=Role(role).value, active=True, created_at=self._clock())
            session.add(record)
            session.flush()
            return _member(record)

    def rename(self, actor: Actor, staff_id: int, new_name: str) -> StaffMember:
        """Rename a member. Past contacts and audit entries keep the name they were recorded with."""
        cleaned = _clean_name(new_name)
        with self._db.session() as session:
            check_owner(session, actor, OwnerAction.MANAGE_STAFF)
            record = self._get(session, staff_id)
            other = _find(session, cleaned)
            if other is not None and other.id != staff_id:
                raise InvalidStaff(f"{cleaned} is already on the staff list.")
            record.name = cleaned
            return _member(record)

    def set_role(self, actor: Actor, staff_id: int, role: Role) -> StaffMember:
        with self._db.session() as session:
            check_owner(session, actor, OwnerAction.MANAGE_STAFF)
            record = self._get(session, staff_id)
            if role is not Role.OWNER:
                self._keep_an_owner(session, record)
            record.role = Role(role).value
            return _member(record)

    def set_active(self, actor: Actor, staff_id: int, active: bool) -> StaffMember:
        """Deactivate (or bring back) a member; members are never deleted, their name is history."""
        with self._db.session() as session:
            check_owner(session, actor, OwnerAction.MANAGE_STAFF)
            record = self._get(session, staff_id)
            if not active:
                self._keep_an_owner(session, record)
            record.active = active
            return _member(record)

    def deactivate(self, actor: Actor, staff_id: int) -> StaffMember:
        return self.set_active(actor, staff_id, False)

    @staticmethod
    def _get(session: Session, staff_id: int) -> StaffRecord:
        record = session.get(StaffRecord, staff_id)
        if record is None:
            raise InvalidStaff(f"Staff member {staff_id} does not exist.")
        return record

    @staticmethod
    def _keep_an_owner(session: Session, record: StaffRecord) -> None:
        if record.role != Role.OWNER or not record.active:
            return
        others = session.scalar(
            select(func.count())
            .select_from(StaffRecord)
            .where(StaffRecord.role == Role.OWNER, StaffRecord.active, StaffRecord.id != record.id)
        )
        if not others:
            raise InvalidStaff(f"{record.name} is the only active owner; make someone else owner first.")
