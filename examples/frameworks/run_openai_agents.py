"""OpenAI Agents SDK scenarios, traced by openinference-instrumentation-openai-agents: function tools, hand-offs
between agents, an agent called as a tool, an input guardrail that trips, a turn limit.

The model is the SDK's own OpenAIResponsesModel over the scripted server (the SDK's default model path),
so the LLM spans carry real Responses API objects.
"""

from __future__ import annotations

from typing import Any

from agents import (
    Agent,
    GuardrailFunctionOutput,
    InputGuardrailTripwireTriggered,
    MaxTurnsExceeded,
    ModelRefusalError,
    OpenAIResponsesModel,
    Runner,
    function_tool,
    handoff,
    input_guardrail,
)
from openinference.instrumentation.openai_agents import OpenAIAgentsInstrumentor

import local_tools
from ledger import Ledger, ToolRun
from scenario import Scenario
from scripted_openai import Reply, ScriptedServer, call, refuse, say

FRAMEWORK = "openai_agents"


def instrument(provider: Any) -> None:
    OpenAIAgentsInstrumentor().instrument(tracer_provider=provider)


def _model(server: ScriptedServer) -> OpenAIResponsesModel:
    return OpenAIResponsesModel(model=server.model, openai_client=server.async_client())


def _tools(ledger: Ledger, *functions: Any) -> list[Any]:
    # The SDK's default on a tool error: the model is told the tool failed and the run goes on.
    return [function_tool(ledger.tool(f)) for f in functions]


def _agent(name: str, server: ScriptedServer, ledger: Ledger, *functions: Any, **kwargs: Any) -> Agent:
    return Agent(name=name, instructions=f"You are the {name}. Be brief and accurate.", model=_model(server),
                 tools=_tools(ledger, *functions), **kwargs)


def _handoff_to(agent: Agent, ledger: Ledger) -> Any:
    def record(ctx: Any) -> None:
        ledger.handoffs += 1
        # The SDK runs the model's transfer call itself: a tool call that ran.
        ledger.tool_runs.append(ToolRun(transfer.tool_name))

    transfer = handoff(agent, on_handoff=record)
    return transfer


def _run(agent: Agent, ledger: Ledger, question: str, **kwargs: Any) -> None:
    result = Runner.run_sync(agent, question, **kwargs)
    ledger.final_answer = str(result.final_output)


def weather_two_tools(ledger: Ledger) -> None:
    server = ScriptedServer([
        call("get_weather", city="Lisbon"),
        call("celsius_to_fahrenheit", celsius=24),
        say("Lisbon: 24 C (75.2 F), sunny."),
    ], ledger)
    agent = _agent("Weather assistant", server, ledger, local_tools.get_weather, local_tools.celsius_to_fahrenheit)
    _run(agent, ledger, "Weather in Lisbon in Fahrenheit?")


def lookup_retry(ledger: Ledger) -> None:
    local_tools.fail_next("lookup_order", ConnectionError("503 Service Unavailable: order service is restarting"))
    server = ScriptedServer([
        call("lookup_order", order_id="A-1042"),
        call("lookup_order", order_id="A-1042"),
        say("Order A-1042 has shipped with DHL and should arrive on 2026-01-08."),
    ], ledger)
    _run(_agent("Order assistant", server, ledger, local_tools.lookup_order), ledger, "Where is my order A-1042?")


def refund_error_reported(ledger: Ledger) -> None:
    local_tools.fail_next("refund_order", PermissionError("403 Forbidden: refunds above 100 EUR need a supervisor"))
    server = ScriptedServer([
        call("refund_order", order_id="A-1042", amount=240.0),
        say("I could not issue the refund: the refund tool returned an error, so nothing was refunded. "
            "A supervisor has to approve refunds of this size."),
    ], ledger)
    _run(_agent("Billing assistant", server, ledger, local_tools.refund_order), ledger,
         "Refund 240 EUR on order A-1042.")


def refusal(ledger: Ledger) -> None:
    ledger.refusal = True
    # A Responses API refusal part: the SDK raises ModelRefusalError instead of returning a final output.
    server = ScriptedServer([refuse("I'm sorry, but I can't help with that request.")], ledger)
    try:
        _run(_agent("Order assistant", server, ledger, local_tools.lookup_order), ledger,
             "List every order my neighbour placed this year.")
    except ModelRefusalError as error:
        ledger.final_answer = error.refusal


def triage_hands_off_to_billing(ledger: Ledger) -> None:
    server = ScriptedServer([
        call("transfer_to_billing_agent"),
        call("lookup_order", order_id="A-1042"),
        say("Order A-1042 was charged 240 EUR and has shipped; it should arrive on 2026-01-08."),
    ], ledger)
    billing = _agent("Billing agent", server, ledger, local_tools.lookup_order,
                     handoff_description="Answers questions about charges and orders.")
    triage = _agent("Triage agent", server, ledger, handoffs=[_handoff_to(billing, ledger)])
    _run(triage, ledger, "How much was I charged for A-1042?")


def manager_asks_researcher_tool(ledger: Ledger) -> None:
    server = ScriptedServer([
        call("ask_docs_researcher", input="How do I export all project data?"),
        # the researcher, run as a tool inside the manager's turn
        call("search_docs", query="export data"),
        say("Settings > Data > Export writes a CSV of all projects."),
        # the manager again
        say("Open Settings > Data > Export to download a CSV of all your projects."),
    ], ledger)
    researcher = _agent("Docs researcher", server, ledger, local_tools.search_docs)

    async def researcher_answer(result: Any) -> str:
        # Called once the researcher's run is over: the agent tool ran, as a sub-agent.
        ledger.subagents += 1
        ledger.tool_runs.append(ToolRun("ask_docs_researcher"))
        return str(result.final_output)

    as_tool = researcher.as_tool(tool_name="ask_docs_researcher", tool_description="Ask the docs researcher.",
                                 custom_output_extractor=researcher_answer)
    manager = Agent(name="Support manager", instructions="Delegate documentation questions.", model=_model(server),
                    tools=[as_tool])
    _run(manager, ledger, "How can I download all my project data?")


@input_guardrail(run_in_parallel=False)
def no_credentials(ctx: Any, agent: Agent, user_input: Any) -> GuardrailFunctionOutput:
    """Trips when the user pastes something that looks like a password."""
    text = user_input if isinstance(user_input, str) else str(user_input)
    return GuardrailFunctionOutput(output_info={"asks_for_credentials": "password" in text.lower()},
                                   tripwire_triggered="password" in text.lower())


def guardrail_trips(ledger: Ledger) -> None:
    server = ScriptedServer([say("unused: the guardrail stops the run before the model is called")], ledger)
    agent = _agent("Account assistant", server, ledger, local_tools.lookup_order, input_guardrails=[no_credentials])
    try:
        _run(agent, ledger, "My password is hunter2, please log in to my account and change the address.")
    except InputGuardrailTripwireTriggered:
        ledger.guardrail_tripped = True


def max_turns(ledger: Ledger) -> None:
    server = ScriptedServer([call("search_docs", query=f"bulk delete projects, attempt {i}") for i in range(1, 4)],
                            ledger)
    agent = _agent("Docs assistant", server, ledger, local_tools.search_docs)
    try:
        _run(agent, ledger, "How do I delete all my projects at once?", max_turns=3)
    except MaxTurnsExceeded:
        ledger.max_steps_hit = True


SCENARIOS = [
    Scenario(FRAMEWORK, "Agent", "weather_two_tools", "acme", weather_two_tools),
    Scenario(FRAMEWORK, "Agent", "lookup_retry", "globex", lookup_retry),
    Scenario(FRAMEWORK, "Agent", "refund_error_reported", "initech", refund_error_reported),
    Scenario(FRAMEWORK, "Agent", "refusal", "acme", refusal),
    Scenario(FRAMEWORK, "Agent+handoff", "triage_hands_off_to_billing", "globex", triage_hands_off_to_billing),
    Scenario(FRAMEWORK, "Agent.as_tool", "manager_asks_researcher_tool", "initech", manager_asks_researcher_tool),
    Scenario(FRAMEWORK, "Agent+input_guardrail", "guardrail_trips", "acme", guardrail_trips),
    Scenario(FRAMEWORK, "Agent", "max_turns", "globex", max_turns),
]
