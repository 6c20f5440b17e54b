"""Tool argument errors, context management failures and overcaution."""
import json

from . import tool_errors


def malformed_arguments_repeated(b, sc):
    tool = sc.tool(sc.pick(("act", "lookup")))
    key = sc.pick(list(tool.args))
    breakage = sc.pick((
        (lambda args: {k: v for k, v in args.items() if k != key}, key, "field required"),
        (lambda args: dict(args, **{key: [args[key]]}), key, "input should be a valid string"),
        (lambda args: dict(args, **{key: None}), key, "input should not be null"),
        (lambda args: {"input": str(args)}, key, "field required; extra inputs are not permitted"),
    ))
    bad_args = breakage[0](tool.args)
    error = tool_errors.validation_failed(sc.rng, breakage[1], breakage[2])
    for i in range(sc.rng.randint(3, 9)):
        b.call(tool, args=bad_args, error=error,
               say=sc.pick(("", "Let me fix the arguments and try again.", "Retrying with corrected input.")) if i else sc.thought(f"call {tool.name}."))
    if sc.rng.random() < 0.5:
        b.answer(sc.answer("I ran into a technical problem and couldn't complete the request."))
    else:
        b.fail_all_agents("MaxIterationsExceeded", "Agent stopped: repeated invalid tool calls")


def wrong_tool_selected(b, sc):
    wrong = sc.tool(sc.pick(("notify", "verify")))
    b.call(wrong, args=dict(wrong.args), say=sc.thought(f"use {wrong.name} to find the {sc.domain.record}."))
    b.answer(sc.answer(sc.pick(("Based on that, your {r} is fine: {x}.", "Result: {x}. So nothing else is needed.",
                                "The system says {x}, which answers your question.")).format(
        r=sc.domain.record, x=sc.describe(wrong.result))))


def date_or_unit_mismatch(b, sc):
    act = sc.tool(sc.pick(("act", "search")))
    swapped = {}
    for k, v in act.args.items():
        if isinstance(v, str) and sc.fill["date_iso"] in v:
            swapped[k] = v.replace(sc.fill["date_iso"], sc.fill["date_swapped_iso"])
        elif isinstance(v, str) and v == sc.fill["amount"]:
            swapped[k] = v[0] + str(round(float(v[1:]) * 100, 2))   # cents treated as whole units
        else:
            swapped[k] = v
    if swapped == act.args:
        swapped = dict(act.args, date=sc.fill["date_swapped_iso"])
    result = dict(act.result)
    b.call(act, args=swapped, result=result, say=sc.thought(f"{sc.goal}."))
    b.answer(sc.answer(f"I have {sc.done}. " + sc.pick(("Scheduled for {d} as requested.", "All set for {d}.", "Date: {d}.")).format(
        d=sc.fill["date"])))


def context_window_overflow(b, sc):
    limit = sc.model.context_limit
    tool = sc.tool(sc.pick(("search", "lookup")))
    used = 2000
    while True:
        chunk = int(limit * sc.rng.uniform(0.12, 0.35))
        if used + chunk > limit:
            break
        text = sc.pick(("Full export ", "Raw log dump ", "Complete document text ", "All rows ")) + json.dumps(tool.result) + \
            f" ... [truncated by exporter, {chunk * 4} chars]"
        b.call(tool, result=text, result_tokens=chunk, say=sc.pick(("", "Need more data.", "Fetching the full record set.")))
        used += chunk
    error = sc.pick((("ContextLengthExceeded", f"This model's maximum context length is {limit} tokens. However, your messages resulted in {used + chunk} tokens.", 400),
                     ("BadRequestError", f"Error code: 400 - {{'error': {{'code': 'context_length_exceeded', 'message': 'prompt is too long: {used + chunk} tokens > {limit} maximum'}}}}", 400),
                     ("InvalidRequestError", f"context_length_exceeded: input of {used + chunk} tokens exceeds the limit", 400)))
    b.history.append({"role": "tool", "content": "...", "tool_call_id": "", "tokens": chunk})
    b.llm(error=error)
    b.fail_all_agents(error[0], error[1])


def output_truncated_at_limit(b, sc):
    look = sc.tool("lookup")
    b.call(look)
    limit = sc.pick((256, 512, 768, 1024))
    sections = [sc.pick(("Here is the full breakdown you asked for.", "Detailed report follows.", "Below is everything I found."))]
    i = 0
    # keep writing until the text is longer than the output budget, then cut it where the model was stopped
    while sum(len(s) + 1 for s in sections) < limit * 4 + 200:
        i += 1
        sections.append(sc.pick(("Section {i}: the {r} record shows {x}, which matches what we expected for this period.",
                                 "Item {i}: reviewed the {r} history; {x}. No anomalies were noted in this part.",
                                 "Step {i}: I compared {x} against the previous entries and noted the differences."))
                        .format(i=i, r=sc.domain.record, x=sc.describe(look.result, limit=2)))
    cut = " ".join(sections)[:limit * 4].rsplit(" ", 1)[0]
    b.answer(cut, finish="length", output_tokens=limit)


def early_constraint_forgotten(b, sc):
    look, search, act, notify = sc.tool("lookup"), sc.tool("search"), sc.tool("act"), sc.tool("notify")
    budget = "under" in b.history[0]["content"] or "limit" in b.history[0]["content"].lower()
    follow_ups = ("what about other options?", "hmm, anything else?", "can you double check the details?",
                  "and what did the record say again?", "ok. what would you recommend?", "show me more", "is that the latest?")
    for turn in range(sc.rng.randint(3, 7)):
        tool = look if turn % 2 else search
        args = dict(tool.args, **{"page": turn + 1}) if tool is search else tool.args
        b.call(tool, args=args, say=sc.pick(("Let me look at more options.", "Checking.", "", "Sure, one moment.")))
        b.answer(sc.pick(("Here is what I found: {x}.", "Results: {x}.", "{x}.")).format(x=sc.describe(tool.result)))
        b.history.append({"role": "user", "content": sc.pick(follow_ups)})
    if budget:
        over = sc.fill["amount"][0] + f"{float(sc.fill['amount'][1:]) * sc.rng.uniform(1.4, 2.5):.2f}"
        b.call(act, args=dict(act.args, **{"amount": over}), say=sc.thought(f"go with the option at {over}."))
        b.answer(sc.answer(f"Done - I went with the option at {over}. I have {sc.done}."))
    else:
        b.call(act)
        b.call(notify, say=sc.thought("send the confirmation."))
        b.answer(sc.answer(f"I have {sc.done} and sent a confirmation to {sc.fill['email']}."))


def needless_refusal(b, sc):
    b.answer(sc.answer(sc.pick((
        "I'm sorry, but I can't help with that request as it may involve sensitive information.",
        "For safety and privacy reasons I'm unable to {g}. Please contact a human representative.",
        "I can't assist with this. Actions like this could be misused, so I have to decline.",
        "Unfortunately this falls outside what I'm allowed to do under our content policy.")).format(g=sc.goal)))


def capability_denial(b, sc):
    act = sc.tool("act")
    b.answer(sc.answer(sc.pick((
        "I don't have access to the system needed to {g}. You'll need to do this yourself in the portal.",
        "As an AI assistant I can't make changes to your {r}; I can only give general information.",
        "I'm not able to {g} - I don't have a tool for that. (Available tools would include something like {n}, but I can't use it.)",
        "Sorry, I have no way to access {r} records.")).format(g=sc.goal, r=sc.domain.record, n=act.name)))


# Behaviours whose user request differs from the domain's ordinary task request.
REQUESTS = {
    "early_constraint_forgotten": lambda sc: sc.request + sc.pick((
        " Important: keep it under {amount}.", " Budget is strictly under {amount}, no exceptions.",
        " Hard limit {amount} - do not go over.", " Please do NOT email or notify anyone, I'll tell them myself.",
        " Don't send any notifications - {customer} must not be contacted yet.")),
    "date_or_unit_mismatch": lambda sc: sc.request + sc.pick((
        " To be clear: the date is {date}.", " It has to be for {date} exactly.", " (date: {date}, amount {amount})",
        " Use {date}, not any other day.")),
}
