"""The content library: articles, guides and videos to share with customers whose interests they fit.

Anyone on the staff list may keep it (the service checks who acts). Each article has a title, a link,
a short summary and topics (matched against customers' tags and interests). Removing one asks first
and cancels its touches still waiting in the queue. A refused or stale save is explained in the
article's dialog and what was typed stays.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QModelIndex, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from careapp.ui.formatting import format_count, format_date, sentence
from careapp.ui.keyboard import save_keys
from careapp.ui.runner import Runner
from careapp.ui.table import Column, RowsModel, make_table
from careapp.ui.widgets import ErrorLabel, Prompts

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.care.articles import ArticleDraft, ArticleView
    from careapp.services.shop.staff import Actor

# lupdate reads translate("Context", "text") calls; keep the context a string literal.
translate = QCoreApplication.translate


class ArticlesModel(RowsModel):
    """The library, newest first: title, topics, when added, offered to and shared with how many."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column(
                    translate("Library", "Title"), lambda a: a.title, tooltip=lambda a: a.summary or a.link
                ),
                Column(translate("Library", "Topics"), lambda a: ", ".join(a.topics)),
                Column(
                    translate("Library", "Added"),
                    lambda a: format_date(a.added_on),
                    sort_key=lambda a: a.added_on.isoformat(),
                ),
                Column(
                    translate("Library", "Offered"),
                    lambda a: format_count(a.offered),
                    right=True,
                    header_tip=translate("Library", "Customers it was queued for"),
                ),
                Column(
                    translate("Library", "Shared"),
                    lambda a: format_count(a.shared),
                    right=True,
                    header_tip=translate("Library", "Customers it was sent to"),
                ),
            ],
            parent,
        )

    def article(self, row: int) -> ArticleView:
        article: ArticleView = self.row_at(row)
        return article


def split_topics(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace(";", ",").split(",") if part.strip())


class ArticleDialog(QDialog):
    """Add or edit one article. ``saved(ArticleView)`` once the service kept it."""

    saved = Signal(object)

    def __init__(
        self,
        services: Services,
        runner: Runner,
        actor: Actor,
        article: ArticleView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services, self._runner, self._actor = services, runner, actor
        self.article = article
        self.setWindowTitle(self.tr("Edit article") if article else self.tr("Add an article"))
        self.title = QLineEdit(article.title if article else "")
        self.title.setAccessibleName(self.tr("Title"))
        self.link = QLineEdit(article.link if article else "https://")
        self.link.setAccessibleName(self.tr("Link"))
        self.summary = QPlainTextEdit(article.summary if article else "")
        self.summary.setAccessibleName(self.tr("Summary"))
        self.summary.setTabChangesFocus(True)
        self.summary.setMaximumHeight(self.fontMetrics().height() * 6)
        self.topics = QLineEdit(", ".join(article.topics) if article else "")
        self.topics.setAccessibleName(self.tr("Topics"))
        self.topics.setPlaceholderText(self.tr("coffee, baking: the interests and tags it fits"))
        self.error = ErrorLabel(self.tr("Problem with the article"))
        form = QFormLayout()
        for text, widget in (
            (self.tr("&Title:"), self.title),
            (self.tr("&Link:"), self.link),
            (self.tr("Su&mmary:"), self.summary),
            (self.tr("To&pics:"), self.topics),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            form.addRow(label, widget)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.save)
        save_keys(self, self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def draft(self) -> ArticleDraft:
        from careapp.services.care.articles import ArticleDraft

        added: dt.date | None = self.article.added_on if self.article else None
        return ArticleDraft(
            self.title.text(),
            self.link.text(),
            self.summary.toPlainText(),
            split_topics(self.topics.text()),
            added,
        )

    def save(self) -> None:
        draft, services, actor, article = self.draft(), self._services, self._actor, self.article
        self.save_button.setEnabled(False)
        if article is None:
            self._runner.submit(
                lambda: services.articles.add(actor, draft), self._saved, self._failed, owner=self
            )
        else:
            self._runner.submit(
                lambda: services.articles.update(actor, article.id, draft, article.version),
                self._saved,
                self._failed,
                owner=self,
            )

    def _saved(self, view: ArticleView) -> None:
        self.saved.emit(view)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.error.show_error(sentence(error))
        current = getattr(error, "current", None)
        if current is not None:  # someone else saved it first: the next save goes over their version
            self.article = current


class LibraryPage(QWidget):
    """The article table with Add, Edit and Remove. ``changed`` after each change."""

    changed = Signal()

    def __init__(self, runner: Runner, prompts: Prompts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner, self._prompts = runner, prompts
        self._services: Services | None = None
        self._actor: Actor | None = None
        self.dialog: ArticleDialog | None = None
        self.model = ArticlesModel(self)
        self.table = make_table(self.tr("Articles"))
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.table.activated.connect(lambda _index: self.edit())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.note = QLabel(
            self.tr(
                "Articles are offered to customers whose tags or interests share a topic, one at a time, "
                "and never the same one twice."
            )
        )
        self.note.setWordWrap(True)
        self.error = ErrorLabel(self.tr("Problem with the library"))
        self.add_button = QPushButton(self.tr("&Add…"))
        self.add_button.clicked.connect(self.add)
        self.edit_button = QPushButton(self.tr("&Edit…"))
        self.edit_button.clicked.connect(self.edit)
        self.remove_button = QPushButton(self.tr("Remo&ve…"))
        self.remove_button.clicked.connect(self.remove)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self._update_buttons()

    def attach(self, services: Services, actor: Actor) -> None:
        self._services, self._actor = services, actor
        self.reload()

    def reload(self) -> None:
        if self._services is None:
            return
        services = self._services
        self._runner.submit(
            lambda: services.articles.list(), self._listed, self._failed, key="library", owner=self
        )

    def _listed(self, articles: list[ArticleView]) -> None:
        current = self.current()
        self.model.set_rows(articles)
        row = next(
            (i for i, a in enumerate(articles) if current and a.id == current.id), 0 if articles else None
        )
        if row is not None:
            self.table.setCurrentIndex(self.model.index(row, 0))
        self._update_buttons()

    def _failed(self, error: BaseException) -> None:
        self.error.show_error(sentence(error))

    def current(self) -> ArticleView | None:
        index: QModelIndex = self.table.currentIndex()
        return self.model.article(index.row()) if index.isValid() else None

    def _update_buttons(self) -> None:
        ready = self._services is not None
        self.add_button.setEnabled(ready)
        self.edit_button.setEnabled(ready and self.current() is not None)
        self.remove_button.setEnabled(ready and self.current() is not None)

    def add(self) -> ArticleDialog | None:
        return self._open(None)

    def edit(self) -> ArticleDialog | None:
        article = self.current()
        return self._open(article) if article is not None else None

    def _open(self, article: ArticleView | None) -> ArticleDialog | None:
        if self._services is None or self._actor is None:
            return None
        dialog = ArticleDialog(self._services, self._runner, self._actor, article, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._saved)
        dialog.finished.connect(lambda _code: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _saved(self, _view: ArticleView) -> None:
        self.error.show_error(None)
        self.reload()
        self.changed.emit()

    def remove(self) -> None:
        article = self.current()
        if article is None or self._services is None or self._actor is None:
            return
        if not self._prompts.confirm(
            self.tr("Remove the article"),
            self.tr("Remove “{title}” from the library?").format(title=article.title),
            self.tr("Remove"),
            self.tr(
                "Customers it is still waiting for in the care queue will not get it; "
                "those who had it keep it."
            ),
        ):
            return
        services, actor = self._services, self._actor
        self._runner.submit(
            lambda: services.articles.remove(actor, article.id),
            lambda _n: self._saved(article),
            self._failed,
            owner=self,
        )
