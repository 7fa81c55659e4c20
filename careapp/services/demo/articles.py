"""A few demo articles for the content library, on the topics the demo customers have as tags.

Added by ``careapp demo`` after the customers, so the care queue has articles to offer. Adding them
twice adds nothing: an article whose link is already in the library is left out.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from careapp.db.database import Database
from careapp.db.models import ArticleRecord

# (title, link, summary, topics, days before today it was added)
DEMO_ARTICLES: tuple[tuple[str, str, str, tuple[str, ...], int], ...] = (
    (
        "Dialling in a new bag of beans",
        "https://example.com/guides/dialling-in-beans",
        "Grind size, dose and time: a five-minute routine for the first cup from a new bag.",
        ("coffee",),
        3,
    ),
    (
        "Cold brew at home, without special kit",
        "https://example.com/guides/cold-brew",
        "A jar, a sieve and a night in the fridge.",
        ("coffee", "baking"),
        40,
    ),
    (
        "How long to steep: a chart for every tea we sell",
        "https://example.com/guides/steeping-chart",
        "Temperatures and times, printable for the kitchen wall.",
        ("tea",),
        10,
    ),
    (
        "Winter jobs in the garden",
        "https://example.com/guides/winter-garden",
        "Pruning, mulching and looking after your tools until spring.",
        ("gardening",),
        1,
    ),
    (
        "Our book club's ten favourites this year",
        "https://example.com/blog/book-club-favourites",
        "From the library book club, with a note on each.",
        ("books",),
        20,
    ),
    (
        "Cheese and wine: five pairings that never fail",
        "https://example.com/blog/cheese-and-wine",
        "What we pour with the cheeses on our counter.",
        ("cheese", "wine"),
        5,
    ),
)


def fill_demo_articles(db: Database, today: dt.date, now: dt.datetime) -> int:
    """Add the demo articles not in the library yet, dated relative to ``today``; returns how many."""
    with db.session() as session:
        links = set(session.scalars(select(ArticleRecord.link)))
        added = 0
        for title, link, summary, topics, days_ago in DEMO_ARTICLES:
            if link in links:
                continue
            session.add(
                ArticleRecord(
                    title=title,
                    link=link,
                    summary=summary,
                    topics_json=json.dumps(list(topics)),
                    added_on=today - dt.timedelta(days=days_ago),
                    updated_at=now,
                    updated_by="demo",
                    version=1,
                )
            )
            added += 1
    return added
