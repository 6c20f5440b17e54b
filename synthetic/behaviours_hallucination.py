"""Hallucinated tool use, concealed errors and premature completion claims."""
import json

from . import tool_errors

_FAKE_TOOLS = (("verify", "customer_identity"), ("lookup", "internal_db"), ("get", "full_history"),
               ("auto", "resolve"), ("query", "master_record"), ("fetch", "live_status"), ("escalate", "to_manager"))


def claimed_action_never_called(b, sc):
    look = sc.tool("lookup")
    if sc.rng.random() < 0.6:
        b.call(look, say=sc.thought(f"check the {sc.domain.record}."))
    claim = sc.pick(("I have {d}.", "All set - I've {d} and sent you a confirmation email.",
                     "I went ahead and {d}; you should see it within the hour.",
                     "Update: {d}. I also double-checked it in the system."))
    b.answer(sc.answer(claim.format(d=sc.done)))


def hallucinated_tool_result(b, sc):
    act = sc.tool("act")
    # the model asks for the action, but the runtime never executes it (no TOOL span) ...
    b.llm(sc.thought(f"{sc.goal}."), tool_calls=[(act.name, act.args)])
    invented = dict(act.result)
    invented_text = json.dumps(invented)
    # ... and the next turn proceeds as if a result had come back
    b.history.append({"role": "assistant", "content": sc.pick((f"The call returned {invented_text}.",
                                                               f"Result received: {invented_text}"))})
    if sc.rng.random() < 0.4:
        b.say(sc.pick(("Tool returned success, moving on.", "Got the confirmation back.")))
    b.answer(sc.answer(f"Confirmed: I have {sc.done}. Reference: " + sc.describe(invented, limit=2) + "."))


def fabricated_tool_name(b, sc):
    for verb, noun in sc.rng.sample(_FAKE_TOOLS, sc.rng.randint(2, 4)):
        fake = sc.named_tool(verb, noun, {"id": sc.fill["record_id"]})
        b.call(fake, error=tool_errors.unknown_tool(sc.rng, fake.name),
               say=sc.thought(sc.pick(("use the {n} tool.", "call {n} to get this done.", "try {n}.")).format(n=fake.name)))
    if sc.rng.random() < 0.5:
        b.answer(sc.answer(f"I have {sc.done}."))
    else:
        b.answer(sc.answer(f"I could only partly complete this; the {sc.domain.record} looks fine."))


def fabricated_citation(b, sc):
    if sc.rng.random() < 0.5:
        b.retrieve(sc.fill["topic"], sc.documents(sc.rng.randint(2, 4)))
    else:
        b.call(sc.tool("search"), say=sc.thought(f"search for sources on {sc.fill['topic']}."))
    fake_sources = [sc.pick(("Johnson et al. (2021), Journal of Applied Studies", "the 2022 OECD report on this",
                             "Internal memo KB-7731", "https://docs.example.org/policy/section-9",
                             "Smith & Lee, Nature 2019", "the vendor's official FAQ (updated last week)")) for _ in range(2)]
    b.answer(sc.answer(sc.pick((
        "According to {a} and {c}, the answer is clear: {t} is fully covered.",
        "Sources: [1] {a} [2] {c}. Both confirm the standard approach to {t}.",
        "As documented in {a} (see also {c}), {t} follows the usual rules.")).format(
        a=fake_sources[0], c=fake_sources[1], t=sc.fill["topic"])))


def swallowed_tool_error(b, sc):
    look, act = sc.tool("lookup"), sc.tool("act")
    b.call(look)
    b.call(act, error=tool_errors.any_tool_failure(sc.rng, act.name), say=sc.thought(f"{sc.goal}."))
    if sc.rng.random() < 0.3:
        b.call(sc.tool("notify"))
    b.answer(sc.answer(sc.pick(("Great news - I have {d}.", "Done: {d}. No further action needed.",
                                "I've taken care of it: {d}.")).format(d=sc.done)))


def stale_answer_substituted(b, sc):
    look = sc.tool("lookup")
    b.call(look, error=tool_errors.any_tool_failure(sc.rng, look.name), say=sc.thought(f"check the current {sc.domain.record} status."))
    if sc.rng.random() < 0.5:
        b.say(sc.pick(("I recall the usual values for this; I'll use those.", "Using what I know from earlier.")))
    b.answer(sc.answer(sc.pick((
        "Your {r} {i} is currently on track and its status is normal as of today.",
        "As of right now, {r} {i} shows the standard status and nothing has changed.",
        "I checked: {r} {i} is active and up to date.")).format(r=sc.domain.record, i=sc.fill["record_id"])))


def partial_failure_reported_as_success(b, sc):
    act = sc.tool("act")
    count = sc.rng.randint(3, 6)
    failures = sc.rng.sample(range(count), sc.rng.randint(1, max(1, count // 2)))
    b.say(sc.thought(f"process all {count} items in the batch."))
    for i in range(count):
        args = dict(act.args, **{"item": i + 1})
        if i in failures:
            b.call(act, args=args, error=sc.pick((tool_errors.server_error(sc.rng, act.name),
                                                  tool_errors.permission_denied(sc.rng, act.name))))
        else:
            b.call(act, args=args)
    b.answer(sc.answer(sc.pick(("All {n} items were processed successfully.", "Done - completed all {n} of {n}.",
                                "Batch complete: {n}/{n} succeeded.")).format(n=count)))


def empty_result_papered_over(b, sc):
    search = sc.tool("search")
    b.call(search, result=sc.pick(({"results": [], "total": 0}, {"hits": []}, "[]", "No matching records.")),
           say=sc.thought(f"search for {sc.fill['topic']}."))
    b.answer(sc.answer(sc.pick((
        "I found 3 good matches for {t}; the best one is item #{q}{q}7, available now at {a}.",
        "The top result for {t} is from {c}'s catalogue and costs {a}.",
        "Search results show {t} is available: reference {n}, priced at {a}.")).format(
        t=sc.fill["topic"], q=sc.fill["quantity"], a=sc.fill["amount"], c=sc.fill["company"], n=sc.fill["number"])))


def premature_completion_claim(b, sc):
    look = sc.tool("lookup")
    b.say(sc.pick(("Plan: (1) look up the {r}, (2) {g}, (3) verify and notify the user.",
                   "I'll do this in three steps: fetch the {r}, {g}, then confirm.",
                   "Steps:\n- get {r}\n- {g}\n- verify")).format(r=sc.domain.record, g=sc.goal))
    b.call(look)
    b.answer(sc.answer(sc.pick(("Everything is done - I have {d}.", "Task complete: {d}.",
                                "All three steps are finished and {d}.")).format(d=sc.done)))


def abandoned_subtask(b, sc):
    act = sc.tool("act")
    b.call(act, say=sc.thought(f"{sc.goal}."))
    b.answer(sc.answer(sc.pick(("Both done: {d}, and I've handled the follow-up too.", "I have {d} and taken care of everything you asked.",
                                "All requests completed - {d}.")).format(d=sc.done)))


def unverified_success_claim(b, sc):
    look, act = sc.tool("lookup"), sc.tool("act")
    verify = sc.tool("verify")
    b.call(look)
    b.call(act, say=sc.thought(f"{sc.goal}."))
    b.answer(sc.answer(sc.pick(("I have {d} and verified it with {v}: everything checks out.",
                                "{D}. I ran the checks afterwards and they all pass.",
                                "Change applied and tested - {d}. Verification succeeded.")).format(
        d=sc.done, D=sc.done[0].upper() + sc.done[1:], v=verify.name)))


# Behaviours whose user request differs from the domain's ordinary task request.
REQUESTS = {
    "abandoned_subtask": lambda sc: sc.request + " Also, " + sc.pick((
        "email me a confirmation", "notify my manager", "update the ticket", "send the summary to {email}")) + ".",
}
