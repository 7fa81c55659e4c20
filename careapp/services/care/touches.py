"""Touch rules, care settings, and turning rules into stored touches: the start of the care queue.

:meth:`TouchService.refresh` is what makes touches due. Call it when the app starts and on a timer
(hourly, and when the day changes): the app is not always running, so each run looks back to the
previous run (at most :data:`MAX_CATCH_UP_DAYS`) and forward 30 days. What it does, in order:

1. reads the rules, the care settings, the content library, the touch keys stored for the
   customers worked on, and their facts in bulk (see :mod:`careapp.services.care.facts`); promised
   callbacks come from careapp.services.tickets.callbacks. Only the customers changed since the
   last refresh are worked on when nothing else changed; otherwise everyone is, in slices of
   :data:`FULL_REFRESH_CHUNK` customers by id (read, generate, store, next), so memory stays bounded
   whatever the shop's size: every touch depends on its own customer's facts only. In such a pass,
   quiet customers (nothing dated yet: no birthday, date, purchase, contact, ticket, referral,
   reward, callback or touch; a fresh import is all of them) are worked out once per distinct stage,
   first known day and tags, not loaded one by one (:func:`careapp.domain.touches.quiet_wakes`);
2. generates the due touches (:func:`careapp.domain.touches.generate_due_touches`) with the stored
   keys as ``already_generated_keys``, and stores the new ones: the key is UNIQUE and the insert
   skips a key already there, so the same touch is never stored twice, whatever the number of
   restarts, rule edits or seats refreshing at once;
3. closes callback touches whose promise was kept on the ticket screen, notes loyalty-stage changes
   (for "who moved this month"), and moves the last-run marker on;
4. brings the stored plan of the queue up to date (:mod:`careapp.services.care.plan_store`: only the
   customers whose data changed, or everyone on a new day) and saves what the plan changed.

Consent: every plan (every refresh, every :meth:`CareQueueService.queue`, every action) reads the
consents afresh, so a withdrawn consent moves (or holds, with the reason) the pending touches on that
channel the next time anything looks at the queue, and the window's refresh after each commit does
that within a second. :meth:`TouchService.on_consent_changed` does it at once for one customer.

A day after today (by the clock, in the shop's time zone) is a preview: new touches are stored (they
fall due anyway, and the queue needs their ids), but the plan's changes and the last-run marker are
not, so looking ahead never cancels a touch that is still fine today.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import DateTime, Select, case, func, insert, literal, select, update
from sqlalchemy.orm import Session, aliased

from careapp.db.changes import note_written, read_counters
from careapp.db.database import Database
from careapp.db.locks import lock_named
from careapp.db.models import (
    CustomerRecord,
    SettingAuditRecord,
    SettingRecord,
    StageChangeRecord,
    TouchRecord,
    TouchRuleRecord,
    core_table,
)
from careapp.domain.care_queue import CareSettings
from careapp.domain.customer import LoyaltyStage
from careapp.domain.recurrence import Feb29Rule, add_days, local_date
from careapp.domain.touches import (
    Article,
    CallbackFact,
    DueTouch,
    RelatedProductRule,
    TouchRules,
    generate_with_wakes,
    quiet_wakes,
    rules_read_tags,
)
from careapp.domain.value import SuggestionTable, next_table, suggestion_table
from careapp.services.care.articles import load_articles
from careapp.services.care.facts import (
    FactWindow,
    IdRange,
    LoadedFacts,
    QuietSplit,
    id_ranges,
    load_facts,
    split_quiet,
    suggestion_source,
)
from careapp.services.care.plan_store import (
    FULL_ABOVE,
    REFRESH,
    REFRESH_VERSION,
    PlanningStopped,
    dirty_since,
    ensure_planned,
    latest_seq,
    read_state,
    write_state,
)
from careapp.services.care.planning import close_kept_callbacks, plan_stored, save_plan
from careapp.services.care.purchase_touches import follow_purchases
from careapp.services.care.rules import (
    CARE_KEY,
    LAST_RUN_KEY,
    RuleKind,
    care_settings_to_json,
    is_zone,
    local_zone_name,
    read_care_settings,
    read_rules,
    rule_to_json,
)
from careapp.services.care.touch_store import insert_new, keys_of
from careapp.services.care.wake import anchors_of, callbacks_without_touch, clear_wakes, save_wakes, woken
from careapp.services.shop.settings import (
    SettingsService,
    Versioned,
    check_version,
    lock_setting,
    read_setting,
    read_versioned,
    write_setting,
)
from careapp.services.shop.staff import Actor, OwnerAction, check_owner
from careapp.services.tickets.callbacks import CallbackDue, open_callbacks

Clock = Callable[[], dt.datetime]
Progress = Callable[[int, int], None]  # (customers done, customers in all)
HORIZON_DAYS = 30
# After a long break, touches that fell due more than this many days ago are not made any more: a
# birthday greeting two months late helps nobody.
MAX_CATCH_UP_DAYS = 30
RULES_AUDIT_PREFIX = "touch_rule."
CARE_WHAT = "The care settings"
# Customers per slice of a full refresh: ~6 MB of facts per thousand customers, so tens of MB at once.
FULL_REFRESH_CHUNK = 5_000


class StaleRules(Exception):
    """Someone saved a rule section after this copy was read; ``current`` is the rules as they are."""

    def __init__(self, kinds: list[RuleKind], current: RuleSet) -> None:
        names = ", ".join(k.value.replace("_", " ") for k in kinds)
        super().__init__(
            f"The {names} rules were changed on another seat while you were editing; "
            "look at them again and repeat your change if it is still needed."
        )
        self.kinds = kinds
        self.current = current


class InvalidCareSettings(ValueError):
    """A care setting that cannot be used; the message says which and what to do."""


@dataclass(frozen=True)
class RuleSet:
    """The touch rules and each section's version (0: never saved, the default is in use)."""

    rules: TouchRules
    versions: Mapping[RuleKind, int]


@dataclass(frozen=True)
class RefreshResult:
    """What a refresh did. ``preview``: ``today`` was after the clock's day, so the plan was not saved."""

    today: dt.date
    horizon_start: dt.date
    horizon_end: dt.date
    generated: int
    plan_changes: int
    callbacks_closed: int
    stage_changes: int
    preview: bool


@dataclass(frozen=True)
class StageChange:
    customer_id: int
    at: dt.datetime
    old_stage: LoyaltyStage | None
    new_stage: LoyaltyStage
    by: str


def write_lock(session: Session) -> None:
    """Take the database's write lock before reading (SQLite locks the file at a transaction's first
    write; the row touched here may not even exist, so PostgreSQL takes a named lock instead).

    The no-op UPDATE goes through the connection, not the session: the session's writes are heard as
    changes (careapp.db.changes), and a setting "changed" wakes the care queue's refresh, which took
    this lock again (a queue read after any change started one more refresh; the calendar's update,
    one every 2 s)."""
    lock_named(session, "careapp: touches refresh, rules and calendar sync")
    session.connection().execute(
        update(SettingRecord)
        .where(SettingRecord.key == LAST_RUN_KEY)
        .values(version=SettingRecord.version)
    )


@dataclass(frozen=True)
class _Generation:
    """What generating touches needs besides the customers' facts."""

    rules: TouchRules
    articles: list[Article]
    horizon_start: dt.date
    horizon_end: dt.date
    window: FactWindow
    tz: dt.tzinfo
    suggestions: SuggestionTable | None = None  # the related-product rule's table (None: rule off)


@dataclass
class _Slice:
    """What one slice of a pass over everyone made: new touches, and per customer the wake day and the
    last real contact (the anchor kept beside it)."""

    due: list[DueTouch] = field(default_factory=list)
    wakes: dict[int, dt.date] = field(default_factory=dict)
    anchors: dict[int, dt.date | None] = field(default_factory=dict)


class TouchService:
    """Touch rules, care settings, refresh. One short session per call; plain data out.

    Threading: like every service, safe to call from one worker thread at a time per call; refreshes
    from several seats or processes may overlap (see the module docstring).
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: SettingsService,
        zone: Callable[[], str] = local_zone_name,
    ) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self._zone = zone
        # A full refresh works through the customers this many at a time (bounds its memory).
        self.chunk_size = FULL_REFRESH_CHUNK
        self.quiet_path = True
        # The related-product rule's table, by (customers change counter, thresholds): remade only
        # after a purchase or customer change anywhere, once per refresh at most.
        self._suggestions: tuple[tuple[int, int, float], SuggestionTable] | None = None

    @property
    def zone(self) -> Callable[[], str]:
        """Where the computer's time zone comes from, for the care settings' default."""
        return self._zone

    # --- the shop's day ---------------------------------------------------------------------------

    def today(self) -> dt.date:
        """Today in the shop's time zone."""
        return local_date(self._clock(), self.care_settings().tz())

    def _feb29(self) -> Feb29Rule:
        try:
            return Feb29Rule(self._settings.shop().feb29_observed_on)
        except ValueError:
            return Feb29Rule.FEB28

    # --- rules ------------------------------------------------------------------------------------

    def rule_set(self) -> RuleSet:
        """The rules in use (defaults for sections never saved), with their versions for saving."""
        feb29 = self._feb29()
        with self._db.session() as session:
            rules, versions = read_rules(session, feb29)
        return RuleSet(rules, versions)

    def save_rules(
        self, actor: Actor, rules: TouchRules, versions: Mapping[RuleKind, int], reason: str = ""
    ) -> RuleSet:
        """Save the sections of ``rules`` that differ from the stored ones. Owner only.

        ``versions`` are those of the :class:`RuleSet` the edit was made on; a changed section whose
        version moved meanwhile raises :class:`StaleRules` and nothing is saved. ``rules.feb29`` is
        ignored: it is a shop setting. Touches already generated keep their due days; the new rules
        apply to touches generated from now on, and none is generated twice.
        """
        feb29 = self._feb29()
        now = self._clock()
        with self._db.session() as session:
            write_lock(session)
            check_owner(session, actor, OwnerAction.EDIT_TOUCH_RULES)
            current, stored_versions = read_rules(session, feb29, for_update=True)
            changed = [k for k in RuleKind if getattr(rules, k.value) != getattr(current, k.value)]
            stale = [k for k in changed if versions.get(k, 0) != stored_versions[k]]
            if stale:
                raise StaleRules(stale, RuleSet(current, stored_versions))
            for kind in changed:
                self._write_rule(session, kind, current, rules, actor, now, reason)
            session.flush()
            saved, new_versions = read_rules(session, feb29)
        return RuleSet(saved, new_versions)

    @staticmethod
    def _write_rule(
        session: Session,
        kind: RuleKind,
        current: TouchRules,
        rules: TouchRules,
        actor: Actor,
        now: dt.datetime,
        reason: str,
    ) -> None:
        old_json = json.dumps(rule_to_json(getattr(current, kind.value)), sort_keys=True)
        new_json = json.dumps(rule_to_json(getattr(rules, kind.value)), sort_keys=True)
        record = session.get(TouchRuleRecord, kind.value)
        if record is None:
            session.add(
                TouchRuleRecord(
                    kind=kind.value, params_json=new_json, version=1, updated_at=now, updated_by=actor.name
                )
            )
        else:
            record.params_json = new_json
            record.version += 1
            record.updated_at = now
            record.updated_by = actor.name
        session.add(
            SettingAuditRecord(
                key=RULES_AUDIT_PREFIX + kind.value,
                at=now,
                by=actor.name,
                old_json=old_json,
                new_json=new_json,
                reason=reason.strip(),
            )
        )

    # --- care settings ------------------------------------------------------------------------------

    def care_settings(self) -> CareSettings:
        """The cap, its window, the daily limit and the shop's time zone (the computer's until set)."""
        with self._db.session() as session:
            return read_care_settings(session, self._zone)

    def care_settings_versioned(self) -> Versioned[CareSettings]:
        """The care settings with the version to hand back to :meth:`save_care_settings`."""
        with self._db.session() as session:
            return self._read_care_versioned(session)

    def _read_care_versioned(self, session: Session) -> Versioned[CareSettings]:
        stored = read_versioned(session, CARE_KEY, lambda _json: None)
        care = read_care_settings(session, self._zone)
        return Versioned(care, stored.version, stored.changed_by, stored.changed_at)

    def save_care_settings(
        self, actor: Actor, settings: CareSettings, reason: str = "", expected_version: int | None = None
    ) -> CareSettings:
        """Owner only; kept in the settings audit trail. ``expected_version``: that of the copy the
        edit was made on; if another seat saved since, :class:`StaleSettings` is raised and nothing
        changes (None: no check, for scripts and tests with no earlier read)."""
        if not is_zone(settings.timezone):
            raise InvalidCareSettings(
                f"{settings.timezone!r} is not a time zone careapp knows; choose one such as Europe/London."
            )
        with self._db.session() as session:
            write_lock(session)
            check_owner(session, actor, OwnerAction.EDIT_TOUCH_RULES)
            lock_setting(session, CARE_KEY)
            check_version(self._read_care_versioned(session), expected_version, CARE_WHAT)
            old_json, new_json = write_setting(session, CARE_KEY, care_settings_to_json(settings))
            session.add(
                SettingAuditRecord(
                    key=CARE_KEY, at=self._clock(), by=actor.name, old_json=old_json, new_json=new_json,
                    reason=reason.strip(),
                )
            )  # fmt: skip
        return settings

    # --- refresh ------------------------------------------------------------------------------------

    def refresh(
        self,
        today: dt.date | None = None,
        *,
        should_stop: Callable[[], bool] = lambda: False,
        progress: Progress | None = None,
    ) -> RefreshResult:
        """Generate and store the touches due, then plan the queue and save its changes.

        ``today`` None: today by the clock. See the module docstring for the steps and for previews.
        ``should_stop`` is asked between slices of customers (careapp is quitting): if it says so,
        :class:`PlanningStopped` is raised; what was stored so far stands, and the next refresh
        does the rest (it starts again for everyone).

        Its commits wake no change listener (:meth:`careapp.db.changes.ChangeTracker.quietly`): it
        only brings derived data up to date, so it must not set off another refresh.

        ``progress(done, total)`` hears how far a pass over every customer has gone (customers
        generated and planned, counted half each); a refresh of a few customers does not call it.
        """
        with self._db.changes.quietly():
            return self._refresh(today, should_stop, progress or (lambda _done, _total: None))

    def _refresh(
        self, today: dt.date | None, should_stop: Callable[[], bool], progress: Progress
    ) -> RefreshResult:
        now = self._clock()
        care = self.care_settings()
        real_today = local_date(now, care.tz())
        today = today or real_today
        preview = today > real_today
        horizon_end = add_days(today, HORIZON_DAYS)
        rules = self.rule_set().rules
        with self._db.session() as session:
            last_run = _last_run(session)
            horizon_start = max(min(last_run or today, today), add_days(today, -MAX_CATCH_UP_DAYS))
            articles = load_articles(session)
            suggestions = self._suggestion_table(session, rules.related_product)
            signature = _generation_signature(rules, articles, care, suggestions)
            ids, top = _changed_since_last_refresh(session, signature, preview, horizon_end)
        # Read after the watermark: a promise made meanwhile is either here or noted after it.
        callbacks = self._callback_facts(horizon_end, care)
        if ids is not None:
            with self._db.session() as session:
                ids |= callbacks_without_touch(session, [(cid, fact.id) for cid, fact in callbacks])
            ids = ids if len(ids) <= FULL_ABOVE else None
        job = _Generation(
            rules, articles, horizon_start, horizon_end, _window(rules, horizon_start), care.tz(), suggestions
        )
        if ids is not None:
            mine = [pair for pair in callbacks if pair[0] in ids]
            due, loaded, wakes = self._generate(job, mine, ids=ids)
            generated, stages = 0, 0
        else:
            due, loaded, wakes = [], LoadedFacts(), {}
            generated, stages = self._generate_everyone(job, callbacks, now, should_stop, preview, progress)
        with self._db.session() as session:
            write_lock(session)
            if ids is not None:  # a few customers: stored with the rest, in one transaction
                follow_purchases(session, customer_ids=ids)
                generated = insert_new(session, due, now)
                stages = _observe_stages(session, _stages_of(loaded), now, ids)
                if not preview:
                    save_wakes(session, wakes, anchors_of(loaded.facts.values()))
            closed = close_kept_callbacks(session)
            if not preview and (last_run is None or today > last_run):
                write_setting(session, LAST_RUN_KEY, {"day": today.isoformat()})
            if not preview:
                write_state(session, REFRESH, {**signature, "end": horizon_end.isoformat()}, top)
        changes = 0
        if not preview:
            changes = (
                ensure_planned(
                    self._db,
                    today,
                    care,
                    lock=write_lock,
                    should_stop=should_stop,
                    loaded=loaded,
                    progress=progress,
                )
                or 0
            )
        return RefreshResult(today, horizon_start, horizon_end, generated, changes, closed, stages, preview)

    def _generate_everyone(
        self,
        job: _Generation,
        callbacks: list[tuple[int, CallbackFact]],
        now: dt.datetime,
        should_stop: Callable[[], bool],
        preview: bool,
        progress: Progress,
    ) -> tuple[int, int]:
        """Generate and store everyone's touches and wake days, :attr:`chunk_size` customers at a time
        (by id), so only one slice's facts are in memory at once. Every touch depends on its own
        customer's facts only (a referral thank-you on the referrer's, loaded with them), so slicing
        changes nothing. Returns how many touches were stored and how many stage changes noted."""
        with self._db.session() as session:
            ranges = id_ranges(session, self.chunk_size)
            everyone = session.scalar(select(func.count()).select_from(CustomerRecord)) or 0
        generated = stages = 0
        for number, id_range in enumerate(ranges):
            progress(min(number * self.chunk_size, everyone) // 2, everyone)
            if should_stop():
                raise PlanningStopped()
            mine = [pair for pair in callbacks if id_range.first <= pair[0] <= id_range.last]
            made = self._generate_slice(job, mine, id_range)
            with self._db.session() as session:
                write_lock(session)
                follow_purchases(session, id_range=(id_range.first, id_range.last))
                generated += insert_new(session, made.due, now)
                stages += _observe_stages_in_range(session, now, id_range)
                if not preview:
                    clear_wakes(session, id_range.first, id_range.last)
                    save_wakes(session, made.wakes, made.anchors, cleared=True)
        return generated, stages

    def _generate_slice(
        self, job: _Generation, callbacks: list[tuple[int, CallbackFact]], id_range: IdRange
    ) -> _Slice:
        """One slice of a pass over everyone. Quiet customers (nothing dated yet: a fresh import's)
        are worked out once per distinct stage, first known day and tags
        (:func:`careapp.domain.touches.quiet_wakes`); only the others' facts are loaded in full.
        :attr:`quiet_path` False loads everyone's (what the tests compare the quiet path with)."""
        with self._db.session() as session:
            split = QuietSplit()
            if self.quiet_path:
                busy = {cid for cid, _fact in callbacks}
                with_tags = rules_read_tags(job.rules, job.articles)
                split = split_quiet(session, job.tz, id_range, busy, with_tags)
            quiet_wake, loud = quiet_wakes(
                split.quiet, job.rules, job.articles, job.horizon_start, job.horizon_end
            )
        made = _Slice(wakes=quiet_wake, anchors={i: a for i, a in split.anchors().items() if i in quiet_wake})
        if self.quiet_path and not split.others and not loud:
            return made
        others = split.others | set(loud) if self.quiet_path else None
        due, loaded, wakes = self._generate(job, callbacks, ids=others, id_range=id_range)
        made.due = due
        made.wakes.update(wakes)
        made.anchors.update(anchors_of(loaded.facts.values()))
        return made

    def _generate(
        self,
        job: _Generation,
        callbacks: list[tuple[int, CallbackFact]],
        ids: set[int] | None = None,
        id_range: IdRange | None = None,
    ) -> tuple[list[DueTouch], LoadedFacts, dict[int, dt.date]]:
        """The new touches of some customers (``ids``, or those in ``id_range``, or those of ``ids`` in
        ``id_range``), with their facts and the day each of them next needs looking at."""
        if ids == set():
            return [], LoadedFacts(), {}
        with self._db.session() as session:
            keys = _keys_in(session, id_range) if id_range is not None else keys_of(session, ids or ())
            loaded = load_facts(
                session, job.tz, job.window, ids, callbacks, id_range=id_range, suggestions=job.suggestions
            )
        due, wakes = generate_with_wakes(
            loaded.facts.values(), job.rules, job.articles, job.horizon_start, job.horizon_end, keys
        )
        return due, loaded, wakes

    def _suggestion_table(self, session: Session, rule: RelatedProductRule) -> SuggestionTable | None:
        """The shop's strong "often bought next" moves (None while the rule is off): one grouped read
        of every purchase, kept until the ``customers`` change counter moves."""
        if not rule.enabled:
            return None
        key = (read_counters(session).get("customers", 0), rule.min_customers, rule.min_lift)
        if self._suggestions is None or self._suggestions[0] != key:
            moves = next_table(suggestion_source(session))
            self._suggestions = (key, suggestion_table(moves, rule.min_customers, rule.min_lift))
        return self._suggestions[1]

    def last_run(self) -> dt.date | None:
        """The last day a refresh ran for (previews of later days do not count)."""
        with self._db.session() as session:
            return _last_run(session)

    def _callback_facts(
        self, horizon_end: dt.date, care: CareSettings, customer_ids: set[int] | None = None
    ) -> list[tuple[int, CallbackFact]]:
        end = dt.datetime.combine(add_days(horizon_end, 1), dt.time(), care.tz())
        until = end.astimezone(dt.UTC).replace(tzinfo=None)
        with self._db.session() as session:
            found = [_callback_fact(c, care) for c in open_callbacks(session, until)]
        return found if customer_ids is None else [f for f in found if f[0] in customer_ids]

    def on_consent_changed(self, customer_id: int, today: dt.date | None = None) -> int:
        """Re-plan one customer's open touches now (after a consent was given or withdrawn): a touch on
        a withdrawn channel moves to another the customer accepts, or is held with the reason
        (careapp.domain.care_queue). Returns how many stored touches that changed (moved, given a
        channel, or cancelled). The window needs no call: every commit refreshes the queue."""
        care = self.care_settings()
        today = today or local_date(self._clock(), care.tz())
        with self._db.session() as session:
            planned = plan_stored(session, today, care, [customer_id])
        save_plan(self._db, planned)
        return len(planned.plan.to_save())

    # --- loyalty stages -------------------------------------------------------------------------------

    def record_stage_change(self, customer_id: int, actor: Actor) -> StageChange | None:
        """Note the customer's loyalty stage if it differs from the last one noted (call it after saving
        a customer). Refresh notes changes too, without a name; this records who made it, and when."""
        now = self._clock()
        with self._db.session() as session:
            write_lock(session)
            stage = session.scalar(
                select(CustomerRecord.loyalty_stage).where(CustomerRecord.id == customer_id)
            )
            if stage is None:
                return None
            last = _latest_stages(session, [customer_id]).get(customer_id)
            if last == stage:
                return None
            session.add(
                StageChangeRecord(
                    customer_id=customer_id, at=now, old_stage=last, new_stage=stage, by=actor.name
                )
            )
        return StageChange(
            customer_id, now, LoyaltyStage(last) if last else None, LoyaltyStage(stage), actor.name
        )


def _last_run(session: Session) -> dt.date | None:
    stored = read_setting(session, LAST_RUN_KEY)
    try:
        return dt.date.fromisoformat(stored["day"]) if stored else None
    except (KeyError, TypeError, ValueError):
        return None


def _window(rules: TouchRules, horizon_start: dt.date) -> FactWindow:
    """How far back purchases, tickets and referrals can still make a touch due in the horizon."""
    delays = [rules.follow_up.default_days, *rules.follow_up.days_by_category.values()]
    delays.append(rules.feedback.after_purchase_days)
    longest = max((d for d in delays if d is not None), default=0)
    return FactWindow(
        purchases_since=add_days(horizon_start, -longest),
        tickets_since=add_days(horizon_start, -(rules.feedback.after_ticket_days or 0)),
        referrals_since=add_days(horizon_start, -rules.referral_thanks.days_after),
    )


def _callback_fact(callback: CallbackDue, care: CareSettings) -> tuple[int, CallbackFact]:
    due_at = callback.due_at.replace(tzinfo=dt.UTC)
    note = callback.ticket_title or callback.summary
    fact = CallbackFact(
        id=callback.contact_id,
        due_on=local_date(due_at, care.tz()),
        due_at=due_at,
        note=" ".join(note.split())[:120],
    )
    return callback.customer_id, fact


def _keys_in(session: Session, id_range: IdRange) -> set[str]:
    """Every key ever generated for the customers in ``id_range``."""
    t = TouchRecord
    return set(session.scalars(select(t.key).where(t.customer_id.between(id_range.first, id_range.last))))


def _latest_stages(session: Session, customer_ids: Iterable[int] | None = None) -> dict[int, str]:
    s = StageChangeRecord
    latest = select(func.max(s.id)).group_by(s.customer_id)
    if customer_ids is not None:
        latest = latest.where(s.customer_id.in_(list(customer_ids)))
    statement = select(s.customer_id, s.new_stage).where(s.id.in_(latest.scalar_subquery()))
    return {row.customer_id: row.new_stage for row in session.execute(statement)}


_STAGE_CHANGES = core_table(StageChangeRecord)
_STAGE_VALUES = [stage.value for stage in LoyaltyStage]


def _observe_stages_in_range(session: Session, now: dt.datetime, id_range: IdRange) -> int:
    """:func:`_observe_stages` for every customer in ``id_range``, in one INSERT ... SELECT: the
    stages as stored now (an unknown value read as a prospect, as the facts read it) against the last
    ones noted. A fresh import's first sightings are 100,000 rows that never pass through Python."""
    c, noted = CustomerRecord, aliased(StageChangeRecord)
    last_id = (
        select(func.max(StageChangeRecord.id)).where(StageChangeRecord.customer_id == c.id).scalar_subquery()
    )
    stage = case((c.loyalty_stage.in_(_STAGE_VALUES), c.loyalty_stage), else_=LoyaltyStage.PROSPECT.value)
    changed = (
        select(c.id, literal(now, DateTime), noted.new_stage, stage, literal(""))
        .select_from(c)
        .outerjoin(noted, noted.id == last_id)
        .where(c.id.between(id_range.first, id_range.last))
        .where(noted.id.is_(None) | (noted.new_stage != stage))
    )
    columns = ["customer_id", "at", "old_stage", "new_stage", "by"]
    # RETURNING counts the rows: psycopg's rowcount reads 0 for an INSERT ... SELECT.
    statement = insert(_STAGE_CHANGES).from_select(columns, changed).returning(_STAGE_CHANGES.c.id)
    written = len(session.connection().execute(statement).all())
    if written:  # nothing written, nothing to tell (a counter bumped for nothing re-reads suggestions)
        note_written(session, _STAGE_CHANGES.name)
    return written


def _stages_of(loaded: LoadedFacts) -> dict[int, str]:
    return {cid: facts.stage.value for cid, facts in loaded.facts.items()}


def _observe_stages(
    session: Session,
    stages: Mapping[int, str],
    now: dt.datetime,
    customer_ids: set[int] | None = None,
) -> int:
    """Note every customer of ``stages`` (those of ``customer_ids``, or all) whose stage differs from
    the last one noted (first sight: old stage None). A pass over everyone notes its slices with
    :func:`_observe_stages_in_range` instead."""
    latest = _latest_stages(session, customer_ids)
    rows = [
        {"customer_id": cid, "at": now, "old_stage": latest.get(cid), "new_stage": stage, "by": ""}
        for cid, stage in stages.items()
        if latest.get(cid) != stage
    ]
    if rows:
        everyone: Select[tuple[int]] = select(CustomerRecord.id)
        if customer_ids is not None and len(customer_ids) <= 900:
            everyone = everyone.where(CustomerRecord.id.in_(sorted(customer_ids)))
        existing = set(session.scalars(everyone))  # some may have gone since the read
        rows = [r for r in rows if r["customer_id"] in existing]
        for start in range(0, len(rows), 5000):  # Core: no ORM bookkeeping per row
            session.connection().execute(insert(_STAGE_CHANGES), rows[start : start + 5000])
        note_written(session, _STAGE_CHANGES.name)
    return len(rows)


def _generation_signature(
    rules: TouchRules, articles: list[Article], care: CareSettings, suggestions: SuggestionTable | None = None
) -> dict[str, Any]:
    """What generating touches depends on besides the customers' own data and the day (see
    :func:`_changed_since_last_refresh`). Not the day, nor the horizon's start: a new day is dealt
    with by the wake days, and a signature that moved by itself made the first refresh of a day run
    twice over everyone. The related-product rule's table is shop-wide: its version is here, so a
    changed table re-derives everyone (in slices); a sale that leaves it as it was does not."""
    rules_json = {kind.value: rule_to_json(getattr(rules, kind.value)) for kind in RuleKind}
    library = [[a.id, a.title, a.link, a.added_on.isoformat(), a.summary, sorted(a.topics)] for a in articles]
    digest = hashlib.sha256(
        json.dumps([rules_json, rules.feb29.value, library], sort_keys=True, default=str).encode()
    ).hexdigest()
    signature: dict[str, Any] = {"tz": care.timezone, "digest": digest, "version": REFRESH_VERSION}
    if suggestions is not None:
        signature["suggestions"] = suggestions.version()
    return signature


def _changed_since_last_refresh(
    session: Session, signature: dict[str, Any], preview: bool, horizon_end: dt.date
) -> tuple[set[int] | None, int]:
    """The customers to generate touches for, and the watermark to store afterwards.

    The same rules, articles and time zone as the last refresh: only customers whose data changed
    since (noted in ``care_dirty``, new touches aside) can have anything new, and, when the horizon
    reaches further than last time (a new day), those whose wake day it reaches. Anything else
    (a rule or article edited, a preview, too many changes): everyone (None).
    """
    stored, seq = read_state(session, REFRESH)
    stored = dict(stored or {})
    end = stored.pop("end", None)
    if preview or stored != signature:
        return None, latest_seq(session)
    changed, top = dirty_since(session, seq, touch_only=False)
    if end is None or horizon_end.isoformat() > end:
        changed |= woken(session, horizon_end)
    return (changed if len(changed) <= FULL_ABOVE else None), top
