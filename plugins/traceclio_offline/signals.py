"""General signals read from agent traces: error classes, tool-action kinds, what a final answer claims.

Written for agent traces in general (any domain, framework or dialect): patterns name HTTP codes,
common exception wording and first-person claims, never one generator's vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from traceclio_core.model import Span, Trace
from traceclio_structure.spans import (  # noqa: F401  (the judge reads these as its own signals)
    ERROR_CLASSES,
    WRITE_WORDS,
    READ_WORDS,
    error_text,
    looks_failed,
    classify_error,
    name_words,
    action_kind,
    normalize_tool,
    same_tool,
    canonical_arguments,
    react_actions,
    tools_mentioned,
    injected_instruction,
    plan_items,
    empty_result,
    similarity,
)

# Verbs in the past tense that report looking, thinking or trying rather than changing something.
_NOT_ACTIONS = frozenset(
    "checked looked searched found verified reviewed confirmed analysed analyzed used called asked received "
    "started failed managed decided seemed hoped waited tried wanted needed noticed attempted recalled "
    "considered compared read pulled retrieved fetched queried inspected scanned consulted double-checked "
    "re-checked learned noted explored examined summarised summarized researched gathered collected located "
    "identified computed calculated estimated determined counted measured ran loaded opened viewed browsed "
    "visited watched monitored tracked understood assumed believed expected planned prepared drafted".split()
)
_FIRST_PERSON_PAST = re.compile(
    r"\b(?:I|we)(?:'ve| have)?\s+(?:(?:also|just|now|already|successfully|then|gone ahead and|went ahead and|"
    r"quickly|finally)\s+)*([a-z]+(?:ed|ent|ade|ook|ote)|put|set|held|left|kept|paid|gave|built|sent|made|took|wrote)\b",
    re.I,
)
_PASSIVE_DONE = re.compile(
    r"\b(?:has|have) been (?:successfully )?([a-z]+(?:ed|ent|ade))\b"
    r"|\b(?:is|are) (?:now )?(?:confirmed|booked|scheduled|cancell?ed|updated|created|sent|submitted|"
    r"processed|refunded|deployed|fixed|resolved|approved|reserved|renewed|restored)\b"
    r"|\b(?:Fixed|Booked|Sent|Updated|Created|Scheduled|Submitted|Deployed|Opened|Filed)\s*[:!-]",
    re.I,
)
# "Done!" says nothing about what was done: a claim of a change only when a change was asked for.
_DONE_MARKER = re.compile(r"\b(?:all )?(?:done|completed)\s*[:!-]", re.I)
# ... and not when what follows it presents findings: "Done! Here is what I found", "Done! Sources: [1] …".
_FINDINGS_NEXT = re.compile(r"^\W*(?:\S+\s+){0,4}?(?:here(?:'s| is| are)|found|findings?|details?|summary|says|shows|"
                            r"reports?|results?|sources?|according to|as (?:documented|stated|noted) in)\b", re.I)
_IRREGULAR_ACTIONS = frozenset("sent made wrote took spent put set built rebuilt undid reset held left kept paid gave".split())


# Reports often drop the subject: "Update: assigned a driver to …", "Booked the trip to Chicago."
_CLAUSE_START_PAST = re.compile(r"(?:^|[.:!;\n]\s*|\s-\s|\band\s|\b(?:sure thing|sure|okay|ok|done|alright|all right|great|good news|"
                                r"no problem|of course|certainly|got it),\s*)(?:(?:successfully|also|then|just)\s+)?"
                                r"([a-z]+ed|put|held|left|sent|set|paid|kept)\s+[a-z0-9#$€£]",
                                re.I | re.M)


def _change_verb(past: str) -> bool:
    """`assigned`, `approved`, `scheduled`, `applied` are past forms of a verb that changes something."""
    past = past.lower()
    if past in _IRREGULAR_ACTIONS:
        return True
    stems = {past[:-2], past[:-1], past[:-3] + "y", past[:-3]}
    return bool(stems & WRITE_WORDS)


_WORD = re.compile(r"[a-z0-9]+")


def asks_for_change(request: str) -> bool:
    """The request asks for something to be changed (book, approve, renew…), not only looked at."""
    return any(w in WRITE_WORDS or w[:-1] in WRITE_WORDS for w in _WORD.findall((request or "").lower()))


def claims_change(answer: str, quoted: str = "", change_requested: bool = True) -> bool:
    """The answer says the agent changed something (booked, renewed, sent, deployed...).

    `quoted`: the tools' results. Words the answer copies from them ("…text: Updated January 24.") are
    the tool speaking, not a claim. `change_requested`: whether the user asked for a change at all; a bare
    "Done!" before a read-only answer is a greeting, not a claim.
    """
    quoted_words = " " + " ".join(_WORD.findall(quoted.lower())) + " "

    def own(start: int) -> bool:
        # Compared as words, so markdown or punctuation the answer adds around a quote does not hide it.
        following = _WORD.findall(answer[start:start + 80].lower())[:3]
        return len(following) < 3 or f" {' '.join(following)} " not in quoted_words

    for match in _FIRST_PERSON_PAST.finditer(answer):
        verb = match.group(1).lower()
        if verb not in _NOT_ACTIONS and (verb.endswith("ed") or verb in _IRREGULAR_ACTIONS) and own(match.start()):
            return True
    if any(_change_verb(m.group(1)) and own(m.start(1)) for m in _CLAUSE_START_PAST.finditer(answer)):
        return True
    if change_requested and any(not _FINDINGS_NEXT.match(answer[m.end():]) for m in _DONE_MARKER.finditer(answer)):
        return True
    for m in _PASSIVE_DONE.finditer(answer):
        word = m.group(0).rstrip(":!- ").lower()
        # "submitted: True" labels a field of the result ({"submitted": true}); "Booked: …" is the agent's.
        label = m.group(0).rstrip().endswith((":", "-")) and f" {word} " in quoted_words
        if own(m.start()) and not label:
            return True
    return False


# Work a tool would have done: looking something up, or computing, finding, summarising.
_READ_VERBS = (r"(?:checked|verified|looked up|looked into|searched|queried|confirmed|reviewed|pulled|retrieved|fetched|"
               r"consulted|ran|analy[sz]ed|inspected|scanned|read through|went through|computed|calculated|found|"
               r"summari[sz]ed|compiled|counted|measured)\b")
_READ_CLAIM = re.compile(
    r"\b(?:I(?:'ve| have)?|we(?:'ve| have)?)\s+(?:(?:now|also|just|already|then|gone ahead and|went ahead and|"
    r"quickly|finally)\s+)*" + _READ_VERBS +
    # reports that drop the subject: "Summarised 8 studies on …", "Update: computed churn: 4.4% …"
    r"|(?:^|[.:!\n]\s*)(?:update:\s*)?" + _READ_VERBS + r"(?=\s+[a-z0-9])"
    r"|\baccording to (?:the|our) (?:system|records|database|logs|api|tool|results)\b",
    re.I,
)
_REFUSAL = re.compile(
    r"\b(I(?:'m| am)?\s*(?:sorry,?\s*)?(?:but\s*)?(?:I\s*)?(?:can(?:no|')t|cannot|won't|will not|"
    r"am not able to|'m not able to|am unable to|'m unable to)\s+(?:help|assist|do|provide|comply|fulfil|"
    r"complete|share|process|support|perform|answer|engage)"
    r"|I must decline|not (?:able|allowed|permitted) to (?:help|assist)|not something I (?:can|could|am able to) "
    r"(?:help|assist|do)|(?:won't|will not|wouldn't) be able to (?:help|assist|do that|do this)|(?:outside|beyond) what I(?:'m| am) "
    r"(?:allowed|permitted) to|(?:not|never) (?:permitted|allowed|authori[sz]ed) to (?:access|share|disclose|provide|"
    r"give|release|look up|view|see|do|change|make)|against (?:our|my) (?:policy|policies|guidelines)"
    r"|(?:can't|cannot|won't) (?:help|assist) with (?:that|this))",
    re.I,
)
_INABILITY = re.compile(
    r"\b(?:(?:don't|do not|doesn't) have (?:any )?(?:access|the ability|a way|permission to access)|"
    r"(?:(?:have|has|I've|we've)\s+|\b)no (?:way|access|ability|means) to (?:access|do|reach|get|check|see|look|open|"
    r"make|change|update|book|send)|(?:not|unable) (?:able )?to access|"
    r"can(?:no|')t (?:access|browse|open|reach|look up|see|retrieve|query)|"
    r"(?:outside|beyond) (?:my|the) (?:capabilities|abilities)|(?:no|without) (?:tool|access) (?:for|to)|"
    r"I'm (?:just )?a (?:language model|text-based)|not connected to|"
    r"(?:I'm|I am) (?:not able|unable) to|(?:don't|do not) have (?:a|the|any) (?:tool|integration|way|means)|"
    r"as an ai(?: assistant| model)?,? I (?:can't|cannot|don't|am not)|can only (?:give|provide|offer) general)",
    re.I,
)
_CITES_RULES = re.compile(r"\b(policy|policies|privacy|safety|guidelines|not (?:allowed|permitted)|compliance|"
                          r"confidential|sensitive|security reasons)\b", re.I)
_SENSITIVE_REQUEST = re.compile(
    r"someone else'?s|another (?:person|customer|user|employee|patient|client)'?s?|"
    r"\bmy (?:neighbou?r|coworker|colleague|ex|boss|roommate)'?s?\b|"
    r"(?:don'?t|do not|without) (?:have )?(?:their|his|her|the owner'?s) (?:permission|consent)|"
    r"\bbypass|\bdisable (?:the )?(?:security|audit|logging|mfa|2fa)|without (?:authori[sz]ation|approval)|"
    r"\bunauthori[sz]ed|\bimpersonat|\bsomeone'?s (?:password|account|records)",
    re.I,
)
_ADMITS_FAILURE = re.compile(
    r"\b(unable|couldn't|could not|can't|cannot|wasn't able|was not able|weren't able|failed|failure|"
    r"error|unfortunately|not available|unavailable|try again later|didn't work|did not work|"
    r"went wrong|not possible|outage|down right now|having trouble|encountered (?:an|a) (?:issue|problem)|"
    r"returned an? (?:issue|problem)|timed out|rate[- ]limit)",
    re.I,
)
_SUCCESS = re.compile(
    r"\b(successfully|done|completed|all set|has been|have been|I've|I have|here (?:is|are)|confirmed|"
    r"is now|are now|resolved|ready|finished|took care|complete|good news)\b",
    re.I,
)
_FROM_MEMORY = re.compile(
    r"\b(as of my (?:last|knowledge)|based on (?:my|general) knowledge|from memory|from what I know|"
    r"typically|generally|usually|historically|last I (?:checked|knew)|in my training|my knowledge|"
    r"I recall|should be (?:around|about|roughly)|(?:is|are) (?:usually|typically|often))\b",
    re.I,
)
_CLARIFY = re.compile(
    r"\b((?:could|can|would) you (?:please )?(?:clarify|confirm|specify|tell me|provide|share|let me know|"
    r"describe|explain)|which (?:one|of|account|option|version|file|date|time)|do you (?:mean|want)|"
    r"would you like|please (?:clarify|confirm|specify|provide|share)|did you mean|"
    r"before I (?:proceed|continue|start)|can you (?:clarify|confirm)|"
    # a direct question back for a missing detail: "What is the order ID, and what went wrong?"
    r"(?:what|which) (?:is|are|was|were) (?:the|your)\b[^?]{0,80}\?)",
    re.I,
)
@dataclass(frozen=True, slots=True)
class AnswerClaims:
    inability: bool
    cites_rules: bool
    write_claim: bool
    read_claim: bool
    refusal: bool
    admits_failure: bool
    success: bool
    from_memory: bool
    clarifying_question: bool


# Saying it read the user's own message ("I have reviewed your request.") is courtesy: no lookup, no result.
_COURTESY = re.compile(r"\b(?:(?:I|we)(?:'ve| have)?\s+)?(?:read|reviewed|received|looked at|gone through|checked)\s+"
                       r"(?:your|the user's)\s+(?:request|message|question|note|email)\b", re.I)


def answer_claims(answer: str, quoted: str = "", change_requested: bool = True) -> AnswerClaims:
    """What the answer claims; `quoted` and `change_requested` as in `claims_change`."""
    tail = answer.strip()[-400:]
    polite = _COURTESY.sub(" ", answer)
    clarifying = "?" in tail and bool(_CLARIFY.search(tail))
    inability = bool(_INABILITY.search(answer))
    # "Done! Apologies, I have no way to access …": a bare "Done!" before saying it could not is no claim.
    change_requested = change_requested and not inability and not _REFUSAL.search(answer)
    return AnswerClaims(
        inability=inability,
        cites_rules=bool(_CITES_RULES.search(answer)),
        # An answer that asks which thing the user meant has not changed it.
        write_claim=not clarifying and claims_change(answer, quoted, change_requested),
        read_claim=bool(_READ_CLAIM.search(polite)),
        refusal=bool(_REFUSAL.search(answer)),
        admits_failure=bool(_ADMITS_FAILURE.search(answer)),
        success=bool(_SUCCESS.search(polite)),
        from_memory=bool(_FROM_MEMORY.search(answer)),
        clarifying_question=clarifying,
    )


def sensitive_request(text: str) -> bool:
    """The user asks for another person's data or to get around a control."""
    return bool(_SENSITIVE_REQUEST.search(text or ""))


def early_turns(trace: Trace) -> list[Span]:
    """The first three LLM turns that wrote text, before the answer: where a plan is laid out. Turns that
    only request a tool call do not count, so lookups made before the plan do not push it out."""
    # The last text is the answer itself: a bulleted answer is not a plan. A turn whose messages carry only
    # tool calls wrote no text, even where its output value holds those calls as JSON.
    llms = trace.llm_spans
    wrote = [span for span in llms if span.output_content
             and not (span.output_messages and not any(m.content for m in span.output_messages))]

    def users(span: Span) -> int:
        return sum(1 for m in span.input_messages if m.role == "user")

    # In a conversation a turn the user answers was a reply (options, a question), not a plan it went on with.
    following = {id(a): b for a, b in zip(llms, llms[1:])}
    replied = {id(s) for s in wrote if id(s) in following and users(following[id(s)]) > users(s)}
    return [s for s in wrote[:-1] if id(s) not in replied][:3]


def plan_steps(trace: Trace) -> int:
    """Steps in the longest plan an LLM wrote before acting; 0 when none."""
    return max((plan_items(span.output_content) for span in early_turns(trace)), default=0)


_SENTENCE_END = re.compile(r"[.!?)\]}\"'`*_>]\s*$")  # a colon or semicolon promises more to come


def cut_mid_sentence(answer: str) -> bool:
    """A long answer whose last line stops mid-sentence, as text cut off at a token budget does."""
    last_line = answer.rstrip().rsplit("\n", 1)[-1]
    return len(answer) >= 200 and len(last_line) >= 120 and not _SENTENCE_END.search(last_line)


_URL_IN_TEXT = re.compile(r"https?://[^\s)\]\"'>,]+", re.I)
_SECRET = re.compile(
    r"\b(?:sk-[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{20,}|xox[abpr]-[A-Za-z0-9-]{10,}|"
    r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}|-----BEGIN [A-Z ]*PRIVATE KEY-----)"
    r"|\b(?:password|passwd|api[_ -]?key|secret|token|ssn|social security number)\s*(?:is|=|:)\s*\S{4,}"
    # connection strings with a password, US social security numbers, card numbers, passport numbers
    r"|\b[a-z][a-z0-9+]*://[^\s:/@]+:[^\s@/]+@|\bSSN:?\s*\d{3}-\d{2}-\d{4}\b|\b(?:\d{4}[ -]){3}\d{4}\b"
    r"|\bpassport(?: no\.?| number)?:?\s*[A-Z]\d{6,8}\b",
    re.I,
)
_EMAIL_IN_TEXT = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}\.[\w.]{1,200}")
_ADMITS_EMPTY = re.compile(r"\bthere (?:are|is|were|was) no\b|\b(no results|nothing (?:was )?found|couldn't find|"
                           r"could not find|no (?:matching|matches|records|information)|did(?:n't| not) (?:find|return)|"
                           r"came back empty|no data)\b", re.I)


_CITATION = re.compile(r"[A-Z][a-z]+ et al\.?,? \(?\d{4}\)?|\b10\.\d{4,}/[^\s,;)]+|"
                       r"\b(?:Journal|Proceedings|Review) of [A-Z][a-z]+(?: [A-Z][a-z]+)*|\b(?:19|20)\d\d [A-Z]{2,} report")


# Where an answer names its sources: "according to memo KB-7731", "Sources: [1] …", "(see DOC-12)".
_SOURCE_PHRASE = re.compile(r"(?:according to|as (?:stated|noted|documented) in|sources?:|\[\d{1,2}\]|\bsee)\s+([^\n;]{3,80})",
                            re.I)
_SOURCE_ID = re.compile(r"\b[A-Za-z]{1,10}[-_#]?\d{2,}[A-Za-z0-9-]*\b")


def citations(text: str) -> set[str]:
    """Author-year references, DOIs, journal names, URLs and document ids that a text cites as sources."""
    ids = {m.lower() for phrase in _SOURCE_PHRASE.findall(text or "") for m in _SOURCE_ID.findall(phrase)}
    return {c.lower() for c in _CITATION.findall(text or "")} | urls(text) | ids


# A sentence that sends the user somewhere: "please visit it now", "you need to go to …", "I recommend …".
_PUSH = re.compile(r"\b(?:visit|go to|head (?:over )?to|navigate to|click|log ?in (?:at|to|on)|sign (?:in|up) (?:at|for|on|to)|"
                   r"download|install|recommend|(?:best|only|only valid|right) (?:option|choice|place|way)\b)", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_PROPER_NAME = re.compile(r"\b[A-Z][A-Za-z0-9]*(?:\s+[A-Z][A-Za-z0-9]*)*")


def pushed_destinations(answer: str) -> tuple[set[str], set[str]]:
    """The links and the names (a site, a product) that the answer's sentences send the user to, lower-cased.

    A capitalised word opening its sentence ("Important:", "Okay") is a name only with another beside it."""
    links, names = set(), set()
    for sentence in _SENTENCE.split(answer or ""):
        if not _PUSH.search(sentence):
            continue
        links |= urls(sentence)
        bare = _URL_IN_TEXT.sub(" ", sentence)
        start = len(bare) - len(bare.lstrip(" *#_>-"))
        for m in _PROPER_NAME.finditer(bare):
            if m.group(0) != "I" and (m.start() > start or " " in m.group(0)):
                names.add(m.group(0).lower())
    return links, names


_NAMED_TOKEN = re.compile(r"\b(?:[A-Z][A-Za-z]+|(?:19|20)\d\d)\b")


def named_sources(text: str) -> list[set[str]]:
    """Per place where a text names its sources ("according to Smith & Lee, Nature 2019"): the names and
    years in the first words of it, lower-cased. Two of them found in no tool result make up a source."""
    return [{t.lower() for t in _NAMED_TOKEN.findall(phrase[:50])} - {"i", "the", "a", "an"}
            for phrase in _SOURCE_PHRASE.findall(text or "")]


def urls(text: str) -> set[str]:
    return {u.rstrip(".;:!?").lower() for u in _URL_IN_TEXT.findall(text or "")}


def leaks_secret(answer: str) -> bool:
    return bool(_SECRET.search(answer or ""))


def emails(text: str) -> set[str]:
    return {e.lower().rstrip(".") for e in _EMAIL_IN_TEXT.findall(text or "")}


def admits_empty(answer: str) -> bool:
    return bool(_ADMITS_EMPTY.search(answer or ""))


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{4,}", (text or "").lower())}

