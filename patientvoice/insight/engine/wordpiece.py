"""The encoder's tokeniser, in plain Python: BERT's uncased normalisation, splitting on spaces
and punctuation, then greedy longest-match WordPiece over the package's vocab.txt.

Written here rather than taken from the `tokenizers` package so that the encoder needs nothing
beyond numpy; checked against that package's output on the same comments (see ADR 0002).
Word pieces are cached per word: comments reuse a small vocabulary, so after the first
thousand comments almost every word is a dictionary hit."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from pathlib import Path

CLS, SEP, UNK, PAD = "[CLS]", "[SEP]", "[UNK]", "[PAD]"
# The reference tokeniser gives up on longer "words" (base64, URLs without spaces) as unknown.
MAX_WORD_CHARS = 100
CACHE_LIMIT = 200_000


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    # BERT counts every non-alphanumeric ASCII symbol as punctuation, "$" and "^" included.
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def _clean(text: str) -> str:
    """Drop control characters, turn every kind of space into " ", and set CJK characters apart
    (each is a word of its own)."""
    out = []
    for char in text:
        code = ord(char)
        if code == 0 or code == 0xFFFD:
            continue
        if char in "\t\n\r" or unicodedata.category(char) == "Zs":
            out.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cf"):
            continue
        elif _is_cjk(code):
            out.append(f" {char} ")
        else:
            out.append(char)
    return "".join(out)


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def split_words(text: str) -> list[str]:
    """Lower-cased, accent-free words and single punctuation marks, in order."""
    if text.isascii():
        # The common case, without the per-character Unicode look-ups.
        text = text.translate(_ASCII_SPACES).lower()
        if not _has_control(text):
            return _split_punctuation(text.split())
    text = _strip_accents(_clean(text).lower())
    return _split_punctuation(text.split())


_ASCII_SPACES = str.maketrans("\t\n\r", "   ")


def _has_control(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def _split_punctuation(chunks: Iterable[str]) -> list[str]:
    words: list[str] = []
    for chunk in chunks:
        if chunk.isalnum():
            words.append(chunk)
            continue
        current: list[str] = []
        for char in chunk:
            if _is_punctuation(char):
                if current:
                    words.append("".join(current))
                    current = []
                words.append(char)
            else:
                current.append(char)
        if current:
            words.append("".join(current))
    return words


class WordPieceTokenizer:
    def __init__(self, vocabulary: list[str]):
        self.vocabulary = vocabulary
        self.ids = {token: i for i, token in enumerate(vocabulary)}
        self.cls_id, self.sep_id = self.ids[CLS], self.ids[SEP]
        self.unk_id, self.pad_id = self.ids[UNK], self.ids[PAD]
        self._cache: dict[str, list[int]] = {}

    @classmethod
    def from_vocab_file(cls, path: Path) -> WordPieceTokenizer:
        return cls(path.read_text(encoding="utf-8").splitlines())

    def word_ids(self, word: str) -> list[int]:
        """The pieces of one word: the longest vocabulary prefix, then the longest "##" piece
        of the rest, and so on; a word with any part not in the vocabulary is [UNK]."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        pieces: list[int] = []
        if len(word) > MAX_WORD_CHARS:
            pieces = [self.unk_id]
        else:
            start = 0
            while start < len(word):
                end = len(word)
                found = None
                while end > start:
                    piece = word[start:end] if start == 0 else "##" + word[start:end]
                    found = self.ids.get(piece)
                    if found is not None:
                        break
                    end -= 1
                if found is None:
                    pieces = [self.unk_id]
                    break
                pieces.append(found)
                start = end
        if len(self._cache) < CACHE_LIMIT:
            self._cache[word] = pieces
        return pieces

    def ids_of(self, text: str) -> list[int]:
        """Token ids of a text, without [CLS] and [SEP]."""
        ids: list[int] = []
        for word in split_words(text):
            ids.extend(self.word_ids(word))
        return ids

    def encode(self, text: str, max_length: int) -> list[int]:
        """[CLS] + the text's ids, cut to fit + [SEP]."""
        return [self.cls_id, *self.ids_of(text)[: max_length - 2], self.sep_id]
