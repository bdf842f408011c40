"""Safeguarding and complaint signals, from patterns rather than a learnt model.

The training data has three safeguarding positives: far too few to learn from. A hand-written
lexicon is predictable, explainable (it returns the words it matched) and tuned for recall: a
missed safeguarding concern costs far more than a false alarm a person dismisses in seconds.
Severity 1 is the most severe, as in the product's triage queue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from patientvoice.insight.engine.text import straight_apostrophes

SAFEGUARDING = "safeguarding"
COMPLAINT = "complaint"


@dataclass(frozen=True)
class Signal:
    kind: str  # SAFEGUARDING or COMPLAINT
    severity: int  # 1 most severe … 3 least
    reason: str  # what kind of concern the pattern stands for, e.g. "self-harm or suicide"
    evidence: str  # the sentence (or a window of it) that matched, for the person triaging
    # From the learnt safeguarding detector (engine/safeguarding.py): the kind of concern
    # (LABELLING.md's key), its score, and the word-list words found in the sentence.
    category: str = ""
    score: float | None = None
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Rule:
    kind: str
    severity: int
    reason: str
    pattern: re.Pattern[str]


def _rule(kind: str, severity: int, reason: str, *alternatives: str) -> _Rule:
    return _Rule(kind, severity, reason, re.compile("|".join(alternatives), re.IGNORECASE))


_ME = r"(?:me|him|her|them|us|my \w+|mum|dad|patients?|residents?|service users?)"

RULES: tuple[_Rule, ...] = (
    _rule(
        SAFEGUARDING,
        1,
        "self-harm or suicide",
        r"\bsuicid",
        r"\bkill(?:ing|ed)? (?:my|him|her|them)sel(?:f|ves)\b",
        r"\bend(?:ing)? (?:it all|my life|his life|her life)\b",
        r"\btake (?:my|his|her) own life\b",
        r"\bself[- ]?harm",
        r"\b(?:cut|cutting|hurt|hurting|harm|harming) (?:my|him|her)sel(?:f|ves)\b",
        r"\boverdos",
        r"\bwant(?:ed)? to die\b",
        r"\bdon'?t want to (?:live|be alive|be here)\b",
        r"\bno reason to live\b",
    ),
    _rule(
        SAFEGUARDING,
        1,
        "abuse or assault",
        r"\babus(?:e|ed|ive|ing)\b",
        r"\bassault",
        r"\bra+ped?\b|\brape\b",
        r"\bsexual(?:ly)? (?:touch|assault|abuse|harass|inappropriate)",
        r"\btouched (?:me|him|her) inappropriately\b",
        r"\binappropriate(?:ly)? touch",
        rf"\b(?:hit|hits|hitting|slapped|punched|kicked|pushed|shoved|grabbed|strangled|choked|"
        rf"beat|beaten|beating|smacked|thumped|bit) {_ME}",
        r"\bviolen(?:t|ce)\b",
        r"\bthreaten(?:ed|ing)? (?:to )?(?:me|him|her|kill|hurt|hit)",
        r"\b(?:was|were|been|being|felt|feel) threatened\b",
        r"\bgrooming\b",
        r"\bexploit(?:ed|ation|ing)\b",
        r"\bdomestic (?:violence|abuse)\b",
        r"\bmodern slavery\b",
        r"\bfemale genital\b|\bFGM\b",
    ),
    _rule(
        SAFEGUARDING,
        2,
        "neglect or unsafe care",
        r"\bneglect",
        r"\bpressure (?:sores?|ulcers?|damage)\b|\bbed ?sores?\b",
        r"\bleft (?:alone |lying |sitting |on the floor |in (?:pain|agony) )?(?:for )?"
        r"(?:hours|all night|days|overnight)\b",
        r"\bleft (?:lying|sitting) in (?:urine|faeces|feces|wee|poo|soiled|(?:my|his|her) own)",
        r"\b(?:soiled|wet) (?:bed|sheets|pad|clothes)\b",
        r"\b(?:not|never|wasn'?t|weren'?t) (?:given|offered) (?:any )?(?:food|water|a drink|"
        r"drinks|fluids|meals?)\b",
        r"\bdehydrat|\bmalnourish|\bstarv(?:ed|ing)\b",
        r"\b(?:had|have|has) (?:a )?falls?\b|\bfell (?:out of|over|on the floor|down)\b",
        r"\b(?:wrong|missed|incorrect|no) (?:medication|medicine|tablets|dose|insulin)\b",
        r"\bmedication (?:error|mistake)s?\b",
        r"\bunsafe(?!ty)\b",
        r"\b(?:not|don'?t|didn'?t|never|no longer) (?:feel|felt|feeling) safe\b",
        r"\b(?:scared|afraid|frightened|terrified) (?:of|for) (?:the )?(?:staff|nurses?|carers?|"
        r"my safety|(?:my|his|her) life)\b",
        r"\bsafeguard",
    ),
    _rule(
        SAFEGUARDING,
        2,
        "restraint, seclusion or rough handling",
        r"\brestrain(?:t|ed|ing)?\b",
        r"\bpinned (?:me |him |her )?(?:down|to)\b",
        r"\bheld (?:me |him |her )?down\b",
        r"\bseclu(?:sion|ded)\b",
        r"\blocked (?:me |him |her |them )?(?:in|up)\b",
        r"\brough(?:ly)? (?:handl|treat)",
        r"\bmanhandl",
        r"\bbruis(?:e|ed|es|ing)\b",
        r"\bforced (?:me|him|her|them) to\b",
        r"\bbull(?:y|ied|ying)\b",
        r"\bharass",
        r"\bhumiliat",
        r"\bdegrad(?:ed|ing)\b",
    ),
    _rule(
        SAFEGUARDING,
        2,
        "unsafe discharge",
        r"\bdischarged? (?:(?:me|him|her|them|my \w+) )?"
        r"(?:too (?:early|soon|quickly)|without|before|at (?:night|\d)|home alone)",
        r"\bunsafe discharge\b",
        r"\bsent (?:me |him |her )?home (?:too (?:early|soon)|without|alone|at night|still)",
        r"\bkicked (?:me |him |her )?out\b",
    ),
    _rule(
        COMPLAINT,
        2,
        "formal complaint or legal action",
        r"\bformal(?:ly)? complain",
        r"\bombudsman\b",
        r"\bsolicitors?\b|\blawyers?\b|\blegal action\b|\bsu(?:e|ing)\b (?:you|the trust|them)",
        r"\bnegligen(?:t|ce)\b",
        r"\bCQC\b|\bcare quality commission\b",
        r"\b(?:my|the|local) MP\b",
        r"\bthe (?:press|media|papers)\b",
    ),
    _rule(
        COMPLAINT,
        3,
        "complaint",
        r"\bcomplain",
        r"\bPALS\b",
        r"\b(?:disgust(?:ed|ing)|disgrace(?:ful)?|appall(?:ed|ing)|atrocious|shocking|"
        r"unacceptable|horrendous|horrific|diabolical|shambles)\b",
        r"\b(?:rude|arrogant|dismissive|patroni[sz]ing) (?:and|staff|nurse|doctor|receptionist|"
        r"man|woman|paramedic|driver)",
        r"\bnever (?:again|use|come back|recommend)\b",
        r"\bworst\b",
        r"\b(?:lost|losing) (?:my |our )?(?:trust|faith|confidence)\b",
        r"\bno one (?:listened|cared|called|came)\b|\bnobody (?:listened|cared|called|came)\b",
    ),
)

# Phrases that match a rule but mean the opposite; removed before matching. Kept short: each
# one is a way to miss a concern.
_REASSURANCES = re.compile(
    r"\b(?:never|not|didn'?t|did not|don'?t|do not) (?:feel|felt) unsafe\b"
    r"|\bno complaints?\b|\bnothing to complain\b|\bcan'?t complain\b|\bcannot complain\b"
    r"|\bcould not complain\b|\bcouldn'?t complain\b|\bwithout complaint\b"
    # "not complaining", "this is not a complaint", "I don't have any complaints"
    r"|\b(?:not|never) (?:a )?complain(?:t|ts|ing)\b"
    r"|\b(?:don'?t|do not|didn'?t|did not|never|won'?t|will not|no need to) (?:need to |have to )?"
    r"(?:have|had|make|made|raise|raised|put in|file|lodge) (?:any |a )?complaints?\b",
    re.IGNORECASE,
)
# The same patterns for lower-case text without IGNORECASE, several times faster (the patterns
# use no upper-case escapes such as \S, so lower-casing their source keeps their meaning).
_LOWER = {rule.reason: re.compile(rule.pattern.pattern.lower()) for rule in RULES}
_LOWER_REASSURANCES = re.compile(_REASSURANCES.pattern.lower())


def _cleaned(text: str) -> tuple[str, bool]:
    """The text with reassurances blanked to the same length (so match offsets still point into
    the original), lower-cased when that keeps every offset; and whether it was."""
    plain = straight_apostrophes(text)
    lowered = plain.lower()
    if len(lowered) == len(plain):
        return _LOWER_REASSURANCES.sub(lambda m: " " * len(m.group()), lowered), True
    return _REASSURANCES.sub(lambda m: " " * len(m.group()), plain), False


_SENTENCE_END = re.compile(r"(?<=[.!?\n])\s+")
EVIDENCE_CHARS = 240


def detect_signals(text: str, kinds: tuple[str, ...] = (SAFEGUARDING, COMPLAINT)) -> list[Signal]:
    """Every safeguarding or complaint concern (of `kinds`) the text raises, most severe first;
    at most one signal per reason, with the sentence that raised it as evidence."""
    if not text:
        return []
    cleaned, lowered = _cleaned(text)
    found: list[Signal] = []
    for rule in RULES:
        if rule.kind not in kinds:
            continue
        match = (_LOWER[rule.reason] if lowered else rule.pattern).search(cleaned)
        if match:
            found.append(Signal(rule.kind, rule.severity, rule.reason, _evidence(text, match)))
    return sorted(found, key=lambda s: (s.severity, s.kind != SAFEGUARDING))


def _evidence(text: str, match: re.Match[str]) -> str:
    """The sentence containing the match, cut to a window around it when long."""
    start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, match.start())), default=0)
    end_match = _SENTENCE_END.search(text, match.end())
    end = end_match.start() if end_match else len(text)
    sentence = text[start:end].strip()
    if len(sentence) <= EVIDENCE_CHARS:
        return sentence
    centre = match.start() - start
    low = max(0, centre - EVIDENCE_CHARS // 2)
    return "…" + sentence[low : low + EVIDENCE_CHARS].strip() + "…"


def safeguarding_words(sentence: str) -> list[str]:
    """The words of the hand-written safeguarding list found in a sentence: shown with a
    finding of the learnt detector as an explanation (the detector decides; these only say
    which familiar words the sentence holds). Reassurances ("I never felt unsafe") are
    left out, as in `detect_signals`."""
    cleaned, lowered = _cleaned(sentence)
    words: list[str] = []
    for rule in RULES:
        if rule.kind != SAFEGUARDING:
            continue
        for match in (_LOWER[rule.reason] if lowered else rule.pattern).finditer(cleaned):
            word = sentence[match.start() : match.end()].strip()
            if word and word.lower() not in (w.lower() for w in words):
                words.append(word)
    return words
