"""Framework shapes: the agent scaffolding a behaviour is played inside.

Single agents, planner + executor, router + specialist and nested crews wrap
the same behaviour in different span trees, so structure alone does not give
the behaviour away.
"""
import random

from . import tool_errors

_SPECIALISTS = ("billing_specialist", "resolution_agent", "ops_specialist", "research_worker", "booking_specialist",
                "records_agent", "triage-agent")
_EARLIER_QUESTIONS = ("hi", "Hello, are you there?", "I have a question about my account", "hey, quick question",
                      "Can you help me with something?")
_EARLIER_ANSWERS = ("Hello! How can I help you today?", "Sure - what do you need?", "Yes, I'm here. What can I do for you?",
                    "Of course. Please go ahead.")
_CREW_ROLES = ("coordinator", "lead_agent", "task_manager", "domain_expert", "worker", "sub_agent", "analyst", "executor")


def play(b, sc, behaviour, noise):
    """Runs the behaviour inside the scene's framework shape, with optional healthy noise first."""
    if sc.http_route:
        with b.http_request(sc.http_route.replace("{id}", sc.session_id)):
            _play_agents(b, sc, behaviour, noise)
    else:
        _play_agents(b, sc, behaviour, noise)


def _play_agents(b, sc, behaviour, noise):
    rng = sc.rng
    shape = sc.framework
    with b.agent(sc.agent_name, sc.request):
        if rng.random() < 0.2:
            # a returning user: earlier turns of the same session precede this request
            b.history[:0] = [{"role": "user", "content": rng.choice(_EARLIER_QUESTIONS)},
                             {"role": "assistant", "content": rng.choice(_EARLIER_ANSWERS)}]
        if shape == "planner_executor":
            b.say(sc.pick(("Plan:\n1. Understand the request\n2. Gather the facts needed\n3. Act and report back",
                           "I will delegate execution to the executor with a clear objective.",
                           f"Objective: {sc.goal}. Assigning to executor.")))
            with b.agent(sc.pick(("executor", "ExecutorAgent", "task_executor")), f"Execute: {sc.request}", relay=True):
                _body(b, sc, behaviour, noise)
        elif shape == "router_specialists":
            specialist = rng.choice(_SPECIALISTS)
            b.llm(f"route -> {specialist}", chain=True)
            with b.agent(specialist, sc.request, relay=True):
                _body(b, sc, behaviour, noise)
        elif shape == "nested_crew":
            depth = rng.randint(1, 3)
            roles = rng.sample(_CREW_ROLES, depth)
            _nest(b, sc, roles, behaviour, noise)
        else:
            _body(b, sc, behaviour, noise)


def _nest(b, sc, roles, behaviour, noise):
    if not roles:
        _body(b, sc, behaviour, noise)
        return
    with b.agent(roles[0], f"{sc.request}", relay=True):
        _nest(b, sc, roles[1:], behaviour, noise)


def _body(b, sc, behaviour, noise):
    if noise:
        add_healthy_noise(b, sc)
    behaviour(b, sc)


def add_healthy_noise(b, sc):
    """A step before the behaviour: a lookup, a retrieval, a corrected 404, one transient 503 or a repeated read."""
    rng = sc.rng
    kind = rng.choice(("search", "lookup", "corrected_404", "transient_503", "verify", "retrieve", "duplicate_read"))
    if kind == "duplicate_read":
        # a mild second inefficiency; the trace's label stays its primary behaviour, and truth records it
        for _ in range(rng.randint(2, 3)):
            b.call(sc.tool("lookup"))
        sc.also.append("redundant_identical_reads")
    elif kind == "retrieve":
        b.retrieve(sc.request[:120], sc.documents(rng.randint(2, 4)))
    elif kind in ("search", "lookup", "verify"):
        b.call(sc.tool(kind), say=sc.thought("gather some context first."))
    elif kind == "corrected_404":
        tool = sc.tool("search")
        b.call(tool, args=dict(tool.args, **{"page": 2}), error=tool_errors.not_found(rng, "page 2"))
        b.call(tool)
    else:
        tool = sc.tool("search")
        b.call(tool, error=tool_errors.server_error(rng, tool.name))
        b.wait(rng.uniform(300, 1500))
        b.call(tool, say="Transient error, retrying once.")


def fresh_rng(seed, index, split):
    # str seeds are hashed with SHA-512 by random.Random: stable across runs and platforms
    return random.Random(f"traceclio-synthetic:{seed}:{split}:{index}")
