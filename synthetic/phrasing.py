"""Phrasing styles: how an agent's narration and final answers are worded.

The same content is wrapped differently per style so that clusters have to be
found from what happened, not from a fixed sentence.
"""
import re

_OPENERS = {
    "plain": ("", "", "OK. ", "Sure. "),
    "formal": ("Certainly. ", "Thank you for your patience. ", "I have reviewed your request. ", "Of course. "),
    "casual": ("Done! ", "Alright, ", "Okay so ", "Hey! ", "Good news: "),
    "terse": ("", ""),
    "markdown": ("**Summary**\n\n", "### Result\n\n", "**Update**\n\n"),
    "ticket_note": ("STATUS UPDATE\n", "Case note:\n", "RESOLUTION NOTE\n"),
}
_CLOSERS = {
    "plain": ("", " Let me know if you need anything else.", " Anything else?"),
    "formal": (" Please let me know if I can assist further.", " Kind regards.", " I remain at your disposal."),
    "casual": (" Cheers!", " :)", " Ping me if anything's off.", ""),
    "terse": ("",),
    "markdown": ("\n\n_Let me know if you need more detail._", ""),
    "ticket_note": ("\nNEXT: none", "\nNEXT: monitor", "\n-- end of note"),
}
_THOUGHT_PREFIX = {
    "plain": ("", "I'll ", "Let me "),
    "formal": ("I will now ", "Next, I shall ", "To proceed, I will "),
    "casual": ("ok, gonna ", "let me just ", "quickly going to "),
    "terse": ("", "Next: "),
    "markdown": ("Thought: I should ", "**Step**: ", "Thought: let me "),
    "ticket_note": ("ACTION: ", "Step: ", "Working: "),
}


# Word-level paraphrases applied at random, so no message type has a single fixed wording.
_PARAPHRASES = (
    ("I have ", ("I've ", "I have ")), ("I'll ", ("I will ", "I'll ", "Let me ")), ("Done", ("Done", "Finished", "Completed")),
    ("couldn't", ("could not", "wasn't able to", "couldn't")), ("please", ("please", "kindly")),
    ("check", ("check", "verify", "look at")), ("look up", ("look up", "fetch", "retrieve", "pull up")),
    ("Sorry", ("Sorry", "Apologies", "I'm sorry")), ("All set", ("All set", "Sorted", "All done")),
    ("right now", ("right now", "at the moment", "currently")), ("Let me ", ("Let me ", "I'll ", "Going to ")),
    ("try again", ("try again", "retry", "give it another go")), ("details", ("details", "information", "record")),
)


_PARAPHRASE_PATTERNS = tuple((re.compile(r"\b" + re.escape(phrase.strip()) + r"\b"), phrase, options)
                             for phrase, options in _PARAPHRASES)


def paraphrase(text, rng):
    """Swaps common phrases (whole words only) for equivalents, each with even odds."""
    for pattern, phrase, options in _PARAPHRASE_PATTERNS:
        if phrase.strip() in text and rng.random() < 0.5:
            replacement = rng.choice(options).strip()
            text = pattern.sub(lambda _: replacement, text, count=1)
    return text


def style_answer(style, text, rng):
    """Wraps a final answer in the style's openers, closers and layout."""
    text = paraphrase(text, rng)
    if style == "terse":
        text = text.replace("I have ", "").replace("I've ", "")
    if style == "markdown" and ". " in text and rng.random() < 0.6:
        sentences = [s.strip() for s in text.split(". ") if s.strip()]
        text = "\n".join("- " + s.rstrip(".") for s in sentences)
    if style == "ticket_note":
        text = "DETAILS: " + text
    opener = rng.choice(_OPENERS[style])
    if opener.endswith((", ", " so ")) or (style == "casual" and rng.random() < 0.5):
        text = text[0].lower() + text[1:]
    return opener + text + rng.choice(_CLOSERS[style])


def style_thought(style, text, rng):
    """Phrases an intermediate 'what I'm about to do' message; text starts with a verb."""
    text = paraphrase(text, rng)
    prefix = rng.choice(_THOUGHT_PREFIX[style])
    if not prefix:
        return text[0].upper() + text[1:]
    return prefix + text
