"""A customer's feedback in a tab on their page, and publishing it as a testimonial."""

from careapp.ui.feedback.model import FeedbackListModel
from careapp.ui.feedback.panel import FeedbackPanel

__all__ = ["FeedbackListModel", "FeedbackPanel"]
