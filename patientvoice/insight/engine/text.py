"""Small text helpers shared by training, prediction and evaluation."""

from __future__ import annotations

import re
import unicodedata

# Answers that say nothing about care. "Nothing" and "none" are NOT here: answering "How could
# we improve?" with "Nothing" is praise, and the training data labels it so.
_NON_ANSWERS = frozenset(
    {
        "did not answer",
        "didnt answer",
        "not answered",
        "no answer",
        "no answer given",
        "feedback given",
        "no comment",
        "no comments",
        "n a",
        "na",
        "nil",
        "blank",
        "test",
    }
)
_NOT_WORD = re.compile(r"[^\w]+")
_SPACES = re.compile(r"\s+")


# Phones and word processors type a typographic apostrophe ("don’t"); patterns are written with
# a plain one.
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018\u02bc\u2032\u0060\u00b4", "'"))


def straight_apostrophes(text: str) -> str:
    """The text with every kind of apostrophe made plain: one character for one, so offsets of
    matches in the result point at the same place in the original."""
    return text.translate(_APOSTROPHES)


def normalise(text: str) -> str:
    """Lower case, punctuation dropped, whitespace collapsed: used to group identical comments
    in cross-validation and to recognise non-answers."""
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", text.lower())).strip()


def is_non_answer(text: str | None) -> bool:
    """True for blank text and "Did not answer"-style answers, which get only
    `Labelling not possible` and no sentiment."""
    # An emoji on its own ("👍") is an answer; punctuation on its own is not.
    if text is None or not any(c.isalnum() or unicodedata.category(c) == "So" for c in text):
        return True
    # Long texts are never non-answers; skip normalising 100k-character comments.
    return len(text) < 40 and normalise(text) in _NON_ANSWERS


def question_kind(question: str | None) -> str:
    """The FFT question standardised to a few kinds, as pxtextmining does: the same comment
    ("Nothing") means opposite things after "What was good?" and "How could we improve?"."""
    q = (question or "").lower()
    if not q.strip():
        return "unknown"
    if "satisfied" in q and "dissatisfied" in q:
        return "both"
    if "improve" in q or "better" in q:
        return "improve"
    if "good" in q or "like" in q:
        return "good"
    if "why" in q:
        return "why"
    return "other"
