"""Retry loops, planning/reflection loops and search inefficiency."""
from . import tool_errors


def _retry_loop(b, sc, make_error, gap_ms, attempt_ms):
    """The same tool with the same arguments, failing every time."""
    tool = sc.tool(sc.pick(("lookup", "search", "act", "verify")))
    attempts = sc.rng.randint(4, 15)
    narrate = sc.rng.random() < 0.5
    call_id = None
    gap = gap_ms()
    for i in range(attempts):
        if narrate or i == 0:
            decided = b.llm(sc.pick(("Retrying.", "Let me try that again.", "The call failed, trying again.", "")) if i else
                            sc.thought(f"call {tool.name}."), tool_calls=[(tool.name, tool.args)])
            call_id = decided.call_ids[0]
        b.run_tool(tool.name, tool.args, call_id, error=make_error(tool), latency_ms=attempt_ms())
        b.wait(gap)
        gap = gap_ms(gap)
    if sc.rng.random() < 0.5:
        b.fail_agent("MaxRetriesExceeded", f"giving up after {attempts} attempts")
        b.answer(sc.answer(sc.pick(("The service isn't responding right now, please try again later.",
                                    "I couldn't complete this because the system kept failing.",
                                    "Sorry, something went wrong on our side."))))
    else:
        b.fail_all_agents(sc.pick(("MaxRetriesExceeded", "RetryError", "StopIteration")),
                          sc.pick((f"Retry limit reached ({attempts})", "tenacity.RetryError: RetryError[<Future state=finished raised HTTPError>]",
                                   f"agent stopped: exceeded {attempts} tool attempts")))


def retry_loop_rate_limit(b, sc):
    _retry_loop(b, sc, lambda tool: tool_errors.rate_limited(sc.rng, tool.name),
                gap_ms=lambda prev=None: sc.rng.uniform(500, 3000) if prev is None else min(prev * sc.rng.uniform(1.0, 2.0), 30000),
                attempt_ms=lambda: sc.rng.uniform(15, 150))


def retry_loop_server_error(b, sc):
    _retry_loop(b, sc, lambda tool: tool_errors.server_error(sc.rng, tool.name),
                gap_ms=lambda prev=None: sc.rng.uniform(200, 2000),
                attempt_ms=lambda: sc.rng.uniform(100, 2500))


def retry_without_backoff(b, sc):
    failing_with = sc.pick((tool_errors.server_error, tool_errors.rate_limited))
    _retry_loop(b, sc, lambda tool: failing_with(sc.rng, tool.name),
                gap_ms=lambda prev=None: sc.rng.uniform(0.5, 8),
                attempt_ms=lambda: sc.rng.uniform(5, 40))


def retry_loop_timeout(b, sc):
    seconds = sc.pick((10, 30, 60))
    _retry_loop(b, sc, lambda tool: tool_errors.timed_out(sc.rng, tool.name, seconds),
                gap_ms=lambda prev=None: sc.rng.uniform(50, 1500),
                attempt_ms=lambda: seconds * 1000 + sc.rng.uniform(0, 40))


def _stop_on_iterations(b, sc, iterations):
    error = sc.pick((("MaxIterationsExceeded", f"Agent stopped due to iteration limit ({iterations})"),
                     ("GraphRecursionError", f"Recursion limit of {iterations} reached without hitting a stop condition"),
                     ("AgentLoopError", f"max_steps={iterations} exceeded")))
    b.fail_all_agents(*error)


def infinite_plan_loop(b, sc):
    iterations = sc.rng.randint(6, 20)
    plans = (f"Plan: 1) look up the {sc.domain.record} 2) {sc.goal} 3) confirm.",
             f"Let me re-plan. First I need the {sc.domain.record} details, then {sc.goal}, then confirmation.",
             f"Revised plan: get {sc.domain.record} -> {sc.goal} -> notify.")
    for _ in range(iterations):
        b.say(sc.pick(plans) + sc.pick(("", " Before executing, let me reconsider the plan.", " Re-checking the plan.")))
    _stop_on_iterations(b, sc, iterations)


def reflection_loop(b, sc):
    look = sc.tool("lookup")
    b.call(look)
    rounds = sc.rng.randint(5, 14)
    draft = f"Draft: {sc.done}."
    for i in range(rounds):
        b.say(sc.pick(("Critique: the draft could be clearer. Rewriting.", "Reflection: not confident this is complete; revising.",
                       "Self-check: the answer may miss something. Let me improve it.")))
        b.say(draft + sc.pick(("", " (revised)", " (v%d)" % (i + 2))))
    _stop_on_iterations(b, sc, rounds * 2 + 1)


def oscillating_actions(b, sc):
    act = sc.tool("act")
    opposite = sc.named_tool(sc.pick(("undo", "revert", "cancel", "remove")), sc.domain.tools["act"].noun,
                             sc.domain.tools["act"].args, {"reverted": True})
    cycles = sc.rng.randint(3, 7)
    for _ in range(cycles):
        b.call(act, say=sc.thought(f"{sc.goal}."))
        b.call(opposite, say=sc.pick(("On second thought this may be wrong; reverting.", "That doesn't look right, undoing it.",
                                      "Rolling that back to be safe.")))
    if sc.rng.random() < 0.5:
        _stop_on_iterations(b, sc, cycles * 4)
    else:
        b.answer(sc.answer("I've reviewed the situation and left things as they were."))


def over_searching(b, sc):
    search = sc.tool("search")
    topic = sc.fill["topic"]
    variants = (topic, f"{topic} details", f"{topic} {sc.fill['company']}", f"what is {topic}", f"{topic} latest",
                f"{topic} 2026", f"{topic} policy", f"{topic} overview", f"about {topic}", f"{topic} faq", f"{topic} info")
    key = next((k for k, v in search.args.items() if v == topic), None) or "query"
    for _ in range(sc.rng.randint(9, 24)):
        args = dict(search.args, **{key: sc.pick(variants) + sc.pick(("", "", " ", "?"))})
        b.call(search, args=args, say=sc.pick(("", "Let me search a bit more.", "One more search to be thorough.")))
    b.answer(sc.answer(f"Here's what I found about {topic}: " + sc.describe(search.result)))


def redundant_identical_reads(b, sc):
    look = sc.tool("lookup")
    for _ in range(sc.rng.randint(5, 12)):
        b.call(look, say=sc.pick(("", f"Let me check the {sc.domain.record} again.", "Re-reading to be sure.")))
    b.answer(sc.answer(f"The {sc.domain.record} details are: " + sc.describe(look.result)))


_DRIFT = ("history of {t}", "{t} competitors", "industry trends 2026", "best practices for customer loyalty",
          "how to write a good review", "unrelated celebrity news", "stock market today", "weather forecast")


def search_query_drift(b, sc):
    search = sc.tool("search")
    topic = sc.fill["topic"]
    key = next((k for k, v in search.args.items() if v == topic), None) or "query"
    drift = [d.format(t=topic) for d in _DRIFT]
    b.call(search, args=dict(search.args, **{key: topic}))
    for query in drift[:sc.rng.randint(3, 6)]:
        b.call(search, args=dict(search.args, **{key: query}), result={"results": [{"title": query.title(), "snippet": f"All about {query}."}]})
    b.answer(sc.answer(sc.pick(("Interesting findings: {q} is an evolving area with many perspectives.",
                                "Here's a summary of {q}: it has grown steadily over the past decade.")).format(q=query)))
