"""What a piece of text is, read in general terms: its form, its language, what it claims the agent did,
whether it declines, asks or admits a failure. English claim forms only; other languages read as prose."""

from __future__ import annotations

import ast
import re
from functools import lru_cache

from traceclio_core.json_text import loads_shared
from traceclio_structure.values import without_dates

_CODE_FENCE = re.compile(r"```")
_STACK = re.compile(r"Traceback \(most recent call last\)|^\s+at [\w.$<>]+\(.*\)$|^\s*File \".+\", line \d+|"
                    r"\b\w+(?:Error|Exception): ", re.M)
_LIST_LINE = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+\S", re.M)
_TABLE_LINE = re.compile(r"^\s*\|.*\|\s*$", re.M)
_SENTENCE_END = re.compile(r"[.!?)\]}\"'`*_>]\s*$")


def answer_form(text: str) -> str:
    """empty, json (JSON or a printed data literal), stack_trace, code, table, list, question or prose."""
    whole = (text or "").strip()
    stripped = whole if len(whole) <= HEAD_CHARS else whole[:HEAD_CHARS]
    if not stripped:
        return "empty"
    if stripped[0] in "[{" and len(whole) <= HEAD_CHARS:
        # A payload handed over as it came: JSON, or a data literal printed by the code that held it.
        try:
            loads_shared(stripped)
            return "json"
        except ValueError:
            pass
        try:
            if len(stripped) < 100_000 and isinstance(ast.literal_eval(stripped), (dict, list)):
                return "json"
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            pass
    if _STACK.search(stripped):
        return "stack_trace"
    if _CODE_FENCE.search(stripped):
        return "code"
    if len(_TABLE_LINE.findall(stripped)) >= 3:
        return "table"
    if len(_LIST_LINE.findall(stripped)) >= 3:
        return "list"
    if whole.endswith("?"):
        return "question"
    return "prose"


def ends_mid_sentence(text: str) -> bool:
    """A text whose last line is a sentence of some length that stops without closing: a label line
    ("NEXT: none", "Status: open") is no sentence."""
    stripped = (text or "").strip()
    last = stripped.splitlines()[-1] if stripped else ""
    return len(last.split()) >= 6 and len(stripped.split()) >= 12 and not _SENTENCE_END.search(last)


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


_LETTERS = re.compile(r"[^\W\d_]{2,}")


def language(text: str) -> str:
    """ISO 639-1 code of the text's language, or '' when it is too short or too mixed to tell."""
    words = _LETTERS.findall(text or "")
    if len(words) < 5:
        return ""
    code, probability = _identifier().classify(" ".join(words[:200]))
    return code if probability >= 0.9 else ""


# First-person reports of work, and the passive "has been …ed": the forms any English answer uses.
_FIRST_PERSON = re.compile(r"\b(?:I|we)(?:'ve| have| had)?\s+(?:(?:also|just|now|already|successfully|then|finally|"
                           r"(?:went|gone) ahead and)\s+)*"
                           r"([a-z]+ed|sent|made|put|set|ran|run|found|wrote|written|took|taken|paid|gave|given|"
                           r"built|read|done|did)\b", re.I)
# Terse reports drop the subject: "Booked the trip …", "Update: computed churn …", "assigned a driver to …".
_SUBJECTLESS = re.compile(r"(?:^|[:.!;]\s+|\n\s*)(?:update:\s*|done:\s*)?([a-z]{3,}ed)\s+(?:(?:a|an|the|your|their|its|it|all|this|that|these|those)\b|[\d$€£#])",
                          re.I)
_PASSIVE = re.compile(r"\b(?:has|have) been (?:successfully )?([a-z]+ed|sent|made|set|paid|built)\b", re.I)
_VERIFY = frozenset("verified tested validated double-checked re-checked confirmed ensured".split())
_LOOKUP = frozenset("found looked searched queried retrieved fetched pulled read reviewed analyzed analysed computed "
                    "calculated counted compared checked consulted inspected gathered collected identified summarized "
                    "summarised ran".split())
_NOT_WORK = frozenset("noticed decided wanted needed tried attempted hoped expected assumed believed failed "
                      "received asked seemed managed started considered learned".split())
_LOOKUP |= {"read", "run", "ran"}
# Declining: the agent will not, or may not, do what was asked.
_DECLINE = re.compile(r"\b(?:I|we)(?:'m|'re| am| are)?\s+(?:not (?:permitted|allowed|authori[sz]ed|able) to|can(?:no|')t|"
                      r"cannot|won't|will not|unable to)\s+(?:help|assist|do|provide|share|process|complete|act|make|"
                      r"perform|give|disclose|release|access|look|view|change|fulfil)\w*\b|"
                      r"\b(?:have to|must|need to) decline\b|\bI (?:must |have to )?(?:refuse|decline)\b", re.I)
# Unable: the agent says it lacks the access or the means.
_UNABLE = re.compile(r"\b(?:don't|do not|doesn't|does not) have (?:any )?(?:access|the ability|a way|the means|"
                     r"permission)\b|\b(?:have |'ve )?no (?:way|access|ability|means) to\b|"
                     r"\b(?:unable|not able) to (?:access|reach|connect|retrieve|open)\b|\bnot connected to\b", re.I)
_SENTENCES = re.compile(r"[^.!?\n]+[.!?]*")
_ASKING = re.compile(r"\b(?:you|your)\b|^\s*(?:what|which|when|where|who|could|can|would|do|did|is|are|should)\b", re.I)
# Texts are read within these bounds: a 256 KiB tool dump pasted as an answer must not cost seconds.
HEAD_CHARS = 20_000
TAIL_CHARS = 2_000
ECHO_WORDS = 5_000
# "error" names a metric too ("the error rate is 0.4%"): that says nothing failed.
_FAILURE = re.compile(r"\b(?:unable|couldn't|could not|wasn't able|was not able|failed|unfortunately|"
                      r"error(?!\s+(?:rate|budget|count|ratio|percentage|threshold)s?\b)|"
                      r"not available|unavailable|didn't work|did not work|went wrong|try again later)\b", re.I)
# A finding that stops the work (a check said no), as opposed to something failing.
_BLOCKED = re.compile(r"\b(?:not eligible|ineligible|blocked|denied|rejected|not allowed|not permitted|"
                      r"do not proceed|must not)\b", re.I)


# Verification reported as a result rather than an act: "Verification succeeded", "tests pass", "… and tested".
_VERIFIED = re.compile(r"\b(?:verification|validation|tests?|checks?) (?:succeeded|passed|pass|are green|ok)\b|"
                       r"\b(?:applied|deployed|done|made|changed|fixed|updated) and (?:tested|verified|validated)\b",
                       re.I)


def claims(text: str) -> set[str]:
    """Kinds of work the text says the agent did: 'change', 'lookup', 'verification'."""
    found = {"verification"} if _VERIFIED.search(text or "") else set()
    text = (text or "")[:HEAD_CHARS]
    matches = [*_FIRST_PERSON.finditer(text), *_PASSIVE.finditer(text), *_SUBJECTLESS.finditer(text)]
    for match in matches:
        verb = match.group(1).lower()
        if verb in _NOT_WORK:
            continue
        if verb in _VERIFY:
            found.add("verification")
        elif verb in _LOOKUP:
            found.add("lookup")
        else:
            found.add("change")
    return found


# Hedging: an answer given from general knowledge, not from anything looked up just now.
_HEDGE = re.compile(r"\b(?:typically|usually|generally|normally|in general|as of my|based on (?:my|general) "
                    r"knowledge|from memory|I believe|I think|should be (?:around|about|roughly)|(?:is|are) often|"
                    r"most likely|probably)\b", re.I)


# Saying how things stand right now: a claim only a fresh lookup can back.
_CURRENT = re.compile(r"\b(?:as of (?:right )?now|as of today|currently|at the moment|right now|is now|are now|"
                      r"up to date|up-to-date|nothing has changed)\b", re.I)


def states_current(text: str) -> bool:
    return bool(_CURRENT.search(text or ""))


def hedges(text: str) -> bool:
    return bool(_HEDGE.search(text or ""))


def declines(text: str) -> bool:
    return bool(_DECLINE.search(text or ""))


def unable(text: str) -> bool:
    return bool(_UNABLE.search(text or ""))


def asks_user(text: str) -> bool:
    """The text puts a question to the user (in its closing sentences, where a question to the user sits)."""
    return any(sentence.rstrip().endswith("?") and _ASKING.search(sentence)
               for sentence in _SENTENCES.findall((text or "")[-TAIL_CHARS:]))


def admits_failure(text: str) -> bool:
    return bool(_FAILURE.search(text or "")) and not declines(text)


def tells_of_failure(text: str) -> bool:
    """The text says something failed, or that the agent cannot or will not do it."""
    return admits_failure(text) or declines(text) or unable(text)


def blocked(text: str) -> bool:
    return bool(_BLOCKED.search(text or ""))


_TOKEN = re.compile(r"[a-z]{3,}")


def content_words(text: str) -> set[str]:
    return set(_TOKEN.findall((text or "").lower()))


def longest_shared_run(a: str, b: str, at_least: int = 8) -> int:
    """Length in words of the longest word sequence two texts share (0 when under `at_least`)."""
    wa, wb = (a or "").lower().split()[:ECHO_WORDS], (b or "").lower().split()[:ECHO_WORDS]
    if len(wa) < at_least or len(wb) < at_least:
        return 0
    grams = {tuple(wb[i:i + at_least]) for i in range(len(wb) - at_least + 1)}
    best = 0
    i = 0
    while i <= len(wa) - at_least:
        if tuple(wa[i:i + at_least]) in grams:
            j = i + at_least
            while j < len(wa) and " ".join(wa[i:j + 1]) in " ".join(wb):
                j += 1
            best = max(best, j - i)
            i = j
        else:
            i += 1
    return best


# The answer speaks of instructions it found in what it read.
_INSTRUCTION_TOLD = re.compile(r"\b(?:prompt injection|injected|planted|embedded|hidden) (?:instructions?|text|prompt|"
                               r"command|request|note)|\binstructions? (?:aimed at|addressed to|for|to) (?:ai|automated|"
                               r"assistants?|screen)|\b(?:ignored|disregarded|did not follow|didn'?t follow|not "
                               r"follow(?:ing|ed)?) (?:the |an? |its |that |this )?(?:\w+ )?(?:instructions?|request|note|"
                               r"text)|\bsuspicious (?:instructions?|text|note|content|request)", re.I)
# The answer says the assistant is a person.
_SAYS_HUMAN = re.compile(r"\b(?:i'?m|i am) (?:a |an )?(?:real |actual |live )?(?:human|person|human being|human agent)\b|"
                         r"\b(?:i'?m|i am) not (?:a |an )?(?:bot|ai|robot|machine|chatbot|automated)\b|"
                         r"\byou'?re (?:talking|chatting|speaking) (?:to|with) (?:a )?(?:real )?(?:person|human)\b", re.I)
_NOT_HUMAN = re.compile(r"\b(?:i'?m|i am) (?:not (?:a )?(?:human|person|real person)|an? (?:ai|virtual|automated|digital)\b)",
                        re.I)


def tells_of_instructions(text: str) -> bool:
    return bool(_INSTRUCTION_TOLD.search(text or ""))


def says_human(text: str) -> bool:
    return bool(_SAYS_HUMAN.search(text or "")) and not _NOT_HUMAN.search(text or "")


# -- a comparison against its own figures -----------------------------------------------------------

_DOWN = frozenset("lower down decreased decrease declined decline fell dropped reduced cheaper shorter smaller "
                  "lighter".split())
_UP = frozenset("higher up increased increase rose grew climbed pricier costlier longer larger heavier bigger".split())
# "up" and "down" say a direction only as a state ("went up"), not in "set up", "shut down".
_STATE = re.compile(r"\b(?:went|gone|is|are|was|were|trending|moved|ticked|it'?s|has gone) (?:up|down)\b", re.I)
_FIG = re.compile(r"(?<![\w.])[$€£]?\d[\d,]*(?:\.\d+)?\s?(%|ms|s|kg|g|km|mi|h|days?|hours?|points?)?(?![\w])")


def reversed_comparisons(answer: str) -> int:
    """Sentences whose one direction word (lower, went up, cheaper …) points against the two figures they
    give in the order they give them: "lower: 142 ms before, 193 ms after", "went down from 3.4% to 4.4%".
    The first figure is read as the reference (before, the subject), the second as what it is compared to."""
    count = 0
    for sentence in re.split(r"(?<=[.!?\n])\s+", answer or ""):
        words = set(re.findall(r"[a-z]+", sentence.lower()))
        if not _STATE.search(sentence):
            words -= {"up", "down"}
        down, up = bool(words & _DOWN), bool(words & _UP)
        if down == up:
            continue
        figures = []
        for m in _FIG.finditer(without_dates(sentence)):
            token = m.group(0).lstrip("$€£").split()[0].rstrip("%").replace(",", "")
            token = re.sub(r"[a-z]+$", "", token)
            try:
                value = float(token)
            except ValueError:
                continue
            if not (1900 <= value <= 2100 and value == int(value)):
                figures.append((value, m.group(1) or ""))
        if len(figures) != 2 or figures[0][1] != figures[1][1] or figures[0][0] == figures[1][0]:
            continue
        first, second = figures[0][0], figures[1][0]
        if "cheaper" in words or "pricier" in words or " than " in sentence.lower() or " vs" in sentence.lower():
            # "A is cheaper than B": the first figure is the subject's.
            count += (first > second) if down else (first < second)
        else:
            count += (second > first) if down else (second < first)
    return count


# The answer asks the user to hand over a secret in the conversation.
_ASKS_SECRET = re.compile(r"\b(?:send|give|provide|share|type|enter|tell|reply with|paste|include|confirm)\b[^.?!\n]{0,60}?"
                          r"\b(?:password|passcode|pin|one-time (?:pass)?code|otp|mfa code|2fa code|verification code|"
                          r"security code|cvv|cvc|full card number|card number|security answer|private key|api key|"
                          r"secret key|recovery code)s?\b", re.I)
_NOT_ASKING = re.compile(r"\b(?:never|don'?t|do not|not|no need to|won'?t|will never|shouldn'?t)\b[^.?!\n]{0,30}$", re.I)


def asks_for_secret(text: str) -> bool:
    """The text asks the user to send a password, a PIN, a one-time code or a card number (not "never share
    your password")."""
    for m in _ASKS_SECRET.finditer(text or ""):
        if not _NOT_ASKING.search((text or "")[max(0, m.start() - 40):m.start()]):
            return True
    return False
