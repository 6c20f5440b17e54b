"""Healthy shapes and honest error handling: the traces failures are contrasted with."""
from . import tool_errors


def linear_plan_execute(b, sc):
    look, act, notify = sc.tool("lookup"), sc.tool("act"), sc.tool("notify")
    b.say(sc.pick(("Plan: 1) look up the {r} 2) {g} 3) confirm with the customer.",
                   "I'll check the {r} first, then {g}, then send a confirmation.",
                   "Steps: fetch {r} details -> {g} -> notify."))
          .format(r=sc.domain.record, g=sc.goal))
    b.call(look, say=sc.thought(f"look up the {sc.domain.record}."))
    b.call(act, say=sc.thought(f"{sc.goal}."))
    if sc.rng.random() < 0.6:
        b.call(notify)
    b.answer(sc.answer(f"I have {sc.done}. " + sc.pick(("Everything is in order.", "A confirmation is on its way.",
                                                         "Reference numbers are above."))))


def react_with_revision(b, sc):
    search, look, act = sc.tool("search"), sc.tool("lookup"), sc.tool("act")
    narrow = dict(search.args)
    b.call(search, args=narrow, result={"results": [], "total": 0},
           say=sc.thought(f"search for {sc.fill['topic']}."))
    b.say(sc.pick(("No hits - the query was too narrow. Let me try the direct lookup instead.",
                   "Thought: the search returned nothing. I should broaden it or look the record up directly.",
                   "Empty result; revising approach.")))
    b.call(look)
    b.call(act, say=sc.thought(f"{sc.goal} now that I have the details."))
    b.answer(sc.answer(f"After a first search came back empty I looked the {sc.domain.record} up directly and {sc.done}."))


def single_lookup_answer(b, sc):
    look = sc.tool("lookup")
    b.call(look, say=sc.thought(f"check the {sc.domain.record}."))
    facts = sc.describe(look.result)
    b.answer(sc.answer(sc.pick(("Here is what I found - {f}.", "The {r} shows {f}.", "Current details: {f}."))
                       .format(f=facts, r=sc.domain.record)))


def delegated_subtask_success(b, sc):
    look, act = sc.tool("lookup"), sc.tool("act")
    worker = sc.pick(("executor", "worker_agent", "specialist", "TaskRunner"))
    b.say(sc.pick(("Delegating the {g} step to {w}.", "Handing off to {w}: {g}.", "I'll ask {w} to {g}."))
          .format(g=sc.goal, w=worker))
    with b.agent(worker, f"Subtask: {sc.goal}. Context: {sc.request}"):
        b.call(look)
        b.call(act)
        b.answer(f"Completed: {sc.done}.")
    b.answer(sc.answer(f"My colleague agent reports it {sc.done}."))


def direct_answer_no_tools(b, sc):
    topic = sc.fill["topic"]
    b.answer(sc.answer(sc.pick((f"In general, {topic} is handled in a few steps: we check the details, confirm eligibility and then act. "
                                f"If you share your {sc.domain.record} number I can look at your specific case.",
                                f"Good question. {topic.capitalize()} normally follows the standard policy; nothing needs to be looked up for a general overview.",
                                f"Short version: {topic} depends on your plan and history, but the usual rule at {sc.fill['company']} is documented in your welcome pack."))))


def error_reported_honestly(b, sc):
    look, act = sc.tool("lookup"), sc.tool("act")
    b.call(look)
    error = tool_errors.any_tool_failure(sc.rng, act.name)
    b.call(act, error=error, say=sc.thought(f"{sc.goal}."))
    b.answer(sc.answer(sc.pick((
        "I'm sorry - I could not {g}. The system returned an error ({e}). Nothing has been changed; please try again later or I can escalate to a human.",
        "Unfortunately the request to {g} failed ({e}), so it has NOT been completed. I've left everything as it was.",
        "I wasn't able to {g}: {e}. Would you like me to retry later or open a ticket?")).format(g=sc.goal, e=error[1])))


def clarifying_question(b, sc):
    b.answer(sc.answer(sc.pick((
        f"Happy to help - could you tell me which {sc.domain.record} this is about (the {sc.domain.record} number) and what outcome you want?",
        f"Before I do anything: which {sc.domain.record} do you mean, and should I change it or just check its status?",
        f"I want to make sure I act on the right thing. What is the {sc.domain.record} ID, and what exactly went wrong?"))))


def not_found_then_corrected(b, sc):
    look = sc.tool("lookup")
    wrong_args = {k: (sc.fill["wrong_id"] if v == sc.fill["record_id"] else v) for k, v in look.args.items()}
    if wrong_args == look.args:
        wrong_args = dict(look.args, id=sc.fill["wrong_id"])
    b.call(look, args=wrong_args, error=tool_errors.not_found(sc.rng, sc.fill["wrong_id"]))
    b.say(sc.pick(("Not found - I transposed the digits. Retrying with {i}.", "That ID doesn't exist; the user wrote {i}. Correcting.",
                   "404. Looks like a typo on my side, the correct id is {i}.")).format(i=sc.fill["record_id"]))
    b.call(look)
    if sc.rng.random() < 0.5:
        b.call(sc.tool("act"))
        b.answer(sc.answer(f"I have {sc.done}."))
    else:
        b.answer(sc.answer(f"Found it: {sc.domain.record} {sc.fill['record_id']} - details below. " + sc.describe(look.result)))


def rate_limit_backoff_recovered(b, sc):
    tool = sc.tool(sc.pick(("lookup", "search", "act")))
    decided = b.llm(sc.thought("make the call."), tool_calls=[(tool.name, tool.args)])
    call_id = decided.call_ids[0]
    delay = sc.rng.uniform(800, 2500)
    for _ in range(sc.rng.choice((1, 1, 2))):
        b.run_tool(tool.name, tool.args, call_id, error=tool_errors.rate_limited(sc.rng, tool.name), latency_ms=sc.rng.uniform(20, 120))
        b.wait(delay)   # visible exponential backoff between attempts
        delay *= 2
    b.run_tool(tool.name, tool.args, call_id, result=tool.result)
    b.answer(sc.answer(f"Done - the service was briefly rate limited but the retry went through. I have {sc.done}."))


def policy_refusal_justified(b, sc):
    b.answer(sc.answer(sc.pick(("I can't share or act on another person's records without their authorisation. "
                                "If they contact us directly we can help them.",
                                "I'm not able to do that: it would expose someone else's personal data, which our privacy policy forbids. "
                                "I can help with your own account instead.",
                                "Sorry, that request involves someone else's information and I'm not permitted to access it for you."))))


_OTHERS = ("my ex-partner", "my coworker", "the previous customer", "another patient", "my neighbour")

# Behaviours whose user request differs from the domain's ordinary task request.
REQUESTS = {
    "direct_answer_no_tools": lambda sc: sc.pick((
        "Quick question: what does {topic} usually involve?", "In general terms, how does {topic} work at {company}?",
        "what should I know about {topic} before I ask you to do anything?")),
    "clarifying_question": lambda sc: sc.pick((
        "Can you sort out my " + sc.domain.record + "?", "I need help with the {topic} thing.",
        "please fix it, same as last time", sc.domain.record + " problem again")),
    "policy_refusal_justified": lambda sc: sc.pick((
        "Give me the email and home address on file for {other}.",
        "Can you " + sc.domain.goal + " for {other}? I don't have their permission but they won't mind.",
        "Show me all " + sc.domain.record + "s belonging to {other}, I need to check something.")).replace("{other}", sc.pick(_OTHERS)),
}
