"""The content library: articles, guides and videos the shop shares with customers who would like them.

Anyone on the staff list may keep the library. An article goes to a customer once, ever: the touch
key ``article:<article id>:<customer id>`` is stored for good, and article ids are never reused (the
table is AUTOINCREMENT), so removing an article and adding another cannot make a key match the wrong
one. Removing an article cancels its touches still waiting in the queue; those already done stay in
the log with the title they had.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from careapp.db.database import Database
from careapp.db.locks import lock_versioned_row
from careapp.db.models import ArticleRecord, TouchRecord
from careapp.domain.care_queue import ItemStatus
from careapp.domain.customer import normalize_tags
from careapp.domain.touches import Article, TouchKind
from careapp.services.shop.staff import Actor, check_actor

Clock = Callable[[], dt.datetime]
MAX_TITLE = 400
MAX_LINK = 2000


class InvalidArticle(ValueError):
    """The article form has a problem; the message says which and what to do."""


class ArticleNotFound(LookupError):
    def __init__(self, article_id: int) -> None:
        super().__init__(
            f"Article {article_id} is no longer in the library; it may have been removed on another seat."
        )
        self.article_id = article_id


class StaleArticle(Exception):
    """Someone saved the article after this copy was read; ``current`` is how it is now."""

    def __init__(self, current: ArticleView) -> None:
        super().__init__(
            f"{current.title!r} was changed by {current.updated_by or 'someone'} while you were editing; "
            "look at it again and repeat your change if it is still needed."
        )
        self.current = current


@dataclass(frozen=True)
class ArticleDraft:
    """The article form. ``added_on`` None: today. Topics are matched against customers' tags."""

    title: str
    link: str
    summary: str = ""
    topics: tuple[str, ...] = ()
    added_on: dt.date | None = None


@dataclass(frozen=True)
class ArticleView:
    """One article of the library. ``offered``: customers it was queued for; ``shared``: done."""

    id: int
    title: str
    link: str
    summary: str
    topics: tuple[str, ...]
    added_on: dt.date
    version: int
    updated_at: dt.datetime
    updated_by: str
    offered: int = 0
    shared: int = 0

    def article(self) -> Article:
        return Article(self.id, self.title, self.link, self.added_on, self.summary, frozenset(self.topics))


def _topics(record: ArticleRecord) -> tuple[str, ...]:
    try:
        return tuple(json.loads(record.topics_json))
    except ValueError:
        return ()


def _view(record: ArticleRecord, offered: int = 0, shared: int = 0) -> ArticleView:
    return ArticleView(
        record.id,
        record.title,
        record.link,
        record.summary,
        _topics(record),
        record.added_on,
        record.version,
        record.updated_at,
        record.updated_by,
        offered,
        shared,
    )


def load_articles(session: Session) -> list[Article]:
    """Every article as the touch rules read it."""
    return [_view(r).article() for r in session.scalars(select(ArticleRecord).order_by(ArticleRecord.id))]


def article_of_key(key: str) -> int | None:
    """The article id in an ``article:<id>:<customer>`` key."""
    parts = key.split(":")
    return int(parts[1]) if len(parts) == 3 and parts[0] == "article" and parts[1].isdigit() else None


def check_draft(draft: ArticleDraft) -> ArticleDraft:
    """The draft tidied (spaces, topics normalised), or InvalidArticle saying what to fix."""
    title = " ".join(draft.title.split())
    link = draft.link.strip()
    if not title:
        raise InvalidArticle("Give the article a title.")
    if len(title) > MAX_TITLE:
        raise InvalidArticle(f"An article title can be at most {MAX_TITLE} characters long.")
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(ch.isspace() for ch in link):
        raise InvalidArticle("The link must be a web address starting with https:// or http://.")
    if len(link) > MAX_LINK:
        raise InvalidArticle(f"A link can be at most {MAX_LINK} characters long.")
    topics = tuple(normalize_tags(list(draft.topics)))
    if not topics:
        raise InvalidArticle("Give the article at least one topic, so careapp knows whose interests it fits.")
    return ArticleDraft(title, link, draft.summary.strip(), topics, draft.added_on)


class ArticleService:
    """The content library. One short session per call; plain :class:`ArticleView` out."""

    def __init__(self, db: Database, clock: Clock, today: Callable[[], dt.date] | None = None) -> None:
        self._db = db
        self._clock = clock
        self._today = today or (lambda: clock().date())

    def list(self) -> list[ArticleView]:
        """Every article, newest first, with how many customers it was offered and shared with."""
        with self._db.session() as session:
            offered, shared = _counts(session)
            records = session.scalars(
                select(ArticleRecord).order_by(ArticleRecord.added_on.desc(), ArticleRecord.id.desc())
            )
            return [_view(r, offered[r.id], shared[r.id]) for r in records]

    def get(self, article_id: int) -> ArticleView:
        with self._db.session() as session:
            return _view(self._record(session, article_id))

    def add(self, actor: Actor, draft: ArticleDraft) -> ArticleView:
        clean = check_draft(draft)
        with self._db.session() as session:
            check_actor(session, actor)
            record = ArticleRecord(
                title=clean.title,
                link=clean.link,
                summary=clean.summary,
                topics_json=json.dumps(list(clean.topics)),
                added_on=clean.added_on or self._today(),
                updated_at=self._clock(),
                updated_by=actor.name,
                version=1,
            )
            session.add(record)
            session.flush()
            return _view(record)

    def update(
        self, actor: Actor, article_id: int, draft: ArticleDraft, expected_version: int
    ) -> ArticleView:
        """Save an edit made on the copy at ``expected_version``; raises StaleArticle if outdated.

        Touches already generated keep the title and link they were drafted with until they are done.
        """
        clean = check_draft(draft)
        with self._db.session() as session:
            check_actor(session, actor)
            # Locked before the version is read: another seat's save waits, then sees it is stale.
            lock_versioned_row(session, ArticleRecord, article_id)
            record = self._record(session, article_id)
            if record.version != expected_version:
                raise StaleArticle(_view(record))
            record.title = clean.title
            record.link = clean.link
            record.summary = clean.summary
            record.topics_json = json.dumps(list(clean.topics))
            record.added_on = clean.added_on or record.added_on
            record.updated_at = self._clock()
            record.updated_by = actor.name
            record.version += 1
            return _view(record)

    def remove(self, actor: Actor, article_id: int) -> int:
        """Remove an article; its touches still open are cancelled. Returns how many were cancelled."""
        with self._db.session() as session:
            check_actor(session, actor)
            record = self._record(session, article_id)
            open_ids = [
                touch_id
                for touch_id, key in session.execute(
                    select(TouchRecord.id, TouchRecord.key).where(
                        TouchRecord.kind == TouchKind.ARTICLE_SHARE.value,
                        TouchRecord.status == ItemStatus.OPEN.value,
                        TouchRecord.key.like(f"article:{article_id}:%"),
                    )
                )
                if article_of_key(key) == article_id
            ]
            if open_ids:
                session.execute(
                    update(TouchRecord)
                    .where(TouchRecord.id.in_(open_ids))
                    .values(
                        status=ItemStatus.CANCELLED.value,
                        reason=f"{record.title!r} was removed from the library.",
                        version=TouchRecord.version + 1,
                    )
                    .execution_options(synchronize_session=False)
                )
            session.delete(record)
            return len(open_ids)

    @staticmethod
    def _record(session: Session, article_id: int) -> ArticleRecord:
        record = session.get(ArticleRecord, article_id, populate_existing=True)
        if record is None:
            raise ArticleNotFound(article_id)
        return record


def _counts(session: Session) -> tuple[Counter[int], Counter[int]]:
    offered: Counter[int] = Counter()
    shared: Counter[int] = Counter()
    rows = session.execute(
        select(TouchRecord.key, TouchRecord.status).where(TouchRecord.kind == TouchKind.ARTICLE_SHARE.value)
    )
    for key, status in rows:
        article_id = article_of_key(key)
        if article_id is None:
            continue
        offered[article_id] += 1
        if status == ItemStatus.DONE.value:
            shared[article_id] += 1
    return offered, shared
