"""smolagents scenarios: its CodeAgent (the model writes Python; tools are called from the executed code,
with no structured tool calls) and its ToolCallingAgent, traced by openinference-instrumentation-smolagents.

The model is smolagents' own OpenAIModel over the scripted server, so the LLM spans are the ones a user
of that class gets.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml
from openinference.instrumentation.smolagents import SmolagentsInstrumentor
from smolagents import CodeAgent, LogLevel, OpenAIModel, ToolCallingAgent, tool
from smolagents.memory import ActionStep
from smolagents.utils import AgentMaxStepsError

import local_tools
from ledger import Ledger
from scenario import Scenario
from scripted_openai import Reply, ScriptedServer, call, say

FRAMEWORK = "smolagents"


def instrument(provider: Any) -> None:
    SmolagentsInstrumentor().instrument(tracer_provider=provider)


def compact_prompts(kind: str) -> dict[str, Any]:
    """smolagents' own prompt templates for `kind` ("code_agent", "toolcalling_agent"), with the system
    prompt cut to its opening, its list of tools and team members, and its closing line: the worked examples
    and the rules go, so each LLM span is a few KB rather than tens and the fixtures stay small."""
    templates = yaml.safe_load((resources.files("smolagents.prompts") / f"{kind}.yaml").read_text())
    prompt = templates["system_prompt"]
    examples, tools = prompt.find("Here are a few examples"), prompt.find("Above example")
    rules, end = prompt.find("Here are the rules"), prompt.rfind("Now Begin!")
    if 0 < examples < tools < rules < end:
        templates["system_prompt"] = prompt[:examples] + prompt[tools:rules] + prompt[end:]
    return templates


def _code_agent(**kwargs: Any) -> CodeAgent:
    return CodeAgent(prompt_templates=compact_prompts("code_agent"), verbosity_level=LogLevel.OFF, **kwargs)


def _calling_agent(**kwargs: Any) -> ToolCallingAgent:
    return ToolCallingAgent(prompt_templates=compact_prompts("toolcalling_agent"), verbosity_level=LogLevel.OFF,
                            **kwargs)


def _code(thought: str, code: str) -> Reply:
    """A CodeAgent turn in smolagents' default format: a thought, then a <code> block."""
    return say(f"Thought: {thought}\n<code>\n{code.strip()}\n</code>")


def _tools(ledger: Ledger, *functions: Any) -> list[Any]:
    return [tool(ledger.tool(function)) for function in functions]


def _model(server: ScriptedServer) -> OpenAIModel:
    return OpenAIModel(model_id=server.model, client=server.sync_client())


def _record_final_answer_tool(agent: Any, ledger: Ledger) -> None:
    # smolagents ends a run through its built-in `final_answer` tool, which is traced as a tool call.
    final = agent.tools["final_answer"]
    final.forward = ledger.tool(final.forward, "final_answer")


def _run(agent: Any, ledger: Ledger, task: str) -> None:
    _record_final_answer_tool(agent, ledger)
    ledger.final_answer = str(agent.run(task))
    ledger.max_steps_hit = any(isinstance(step, ActionStep) and isinstance(step.error, AgentMaxStepsError)
                               for step in agent.memory.steps)


def code_weather_two_steps(ledger: Ledger) -> None:
    server = ScriptedServer([
        _code("I will use the tool `get_weather` to get the weather in Paris, and print it.",
              'report = get_weather(city="Paris")\nprint(report)'),
        _code("It is 18 C. I will use `re.search` to read the number, convert it with `celsius_to_fahrenheit`, "
              "and return the final answer using the `final_answer` tool.",
              'import re\ncelsius = float(re.search(r"-?\\d+", report).group())\n'
              'fahrenheit = celsius_to_fahrenheit(celsius=celsius)\n'
              'final_answer(f"Paris: {celsius:.0f} C ({fahrenheit} F), light rain.")'),
    ], ledger)
    agent = _code_agent(tools=_tools(ledger, local_tools.get_weather, local_tools.celsius_to_fahrenheit),
                        model=_model(server), max_steps=5)
    _run(agent, ledger, "What's the weather in Paris, in Fahrenheit?")


def code_lookup_retry(ledger: Ledger) -> None:
    local_tools.fail_next("lookup_order", ConnectionError("503 Service Unavailable: order service is restarting"))
    server = ScriptedServer([
        _code("I will call `lookup_order` to find the order.", 'print(lookup_order(order_id="A-1042"))'),
        _code("The order service was unavailable (503). I will call `lookup_order` once more.",
              'print(lookup_order(order_id="A-1042"))'),
        _code("The order has shipped. I will give the answer with the `final_answer` tool.",
              'final_answer("Order A-1042 has shipped with DHL and should arrive on 2026-01-08.")'),
    ], ledger)
    agent = _code_agent(tools=_tools(ledger, local_tools.lookup_order), model=_model(server), max_steps=5)
    _run(agent, ledger, "Where is my order A-1042?")


def code_refund_error_reported(ledger: Ledger) -> None:
    local_tools.fail_next("refund_order", PermissionError("403 Forbidden: refunds above 100 EUR need a supervisor"))
    server = ScriptedServer([
        _code("I will use `refund_order` to refund 240 EUR.", 'print(refund_order(order_id="A-1042", amount=240.0))'),
        _code("The refund was refused with a 403. I must tell the user it did not go through.",
              'final_answer("I could not issue the refund: the refund system refused it (refunds above 100 EUR '
              'need a supervisor). Nothing was refunded.")'),
    ], ledger)
    agent = _code_agent(tools=_tools(ledger, local_tools.refund_order), model=_model(server), max_steps=5)
    _run(agent, ledger, "Refund 240 EUR on order A-1042.")


def code_refusal(ledger: Ledger) -> None:
    ledger.refusal = True
    server = ScriptedServer([
        _code("This asks for another customer's order history, which I must not share. I will decline using the "
              "`final_answer` tool.",
              'final_answer("I\'m sorry, but I can\'t help with that: I can only share orders on your own account.")'),
    ], ledger)
    agent = _code_agent(tools=_tools(ledger, local_tools.lookup_order), model=_model(server), max_steps=5)
    _run(agent, ledger, "Show me my neighbour's order history.")


def code_managed_researcher(ledger: Ledger) -> None:
    server = ScriptedServer([
        # the manager delegates from its code: the team member is called like a function
        _code("I will ask my team member `docs_researcher` how exporting works.",
              'notes = docs_researcher(task="How do I export my data?")\nprint(notes)'),
        # the managed ToolCallingAgent
        call("search_docs", query="export data"),
        call("final_answer", answer="Settings > Data > Export writes a CSV of all projects."),
        # the manager again
        _code("The researcher found the export page. I will answer with the `final_answer` tool.",
              'final_answer("Go to Settings > Data > Export; it writes a CSV of all your projects.")'),
    ], ledger)
    researcher = _calling_agent(tools=_tools(ledger, local_tools.search_docs), model=_model(server), max_steps=4,
                                name="docs_researcher", description="Searches the product documentation.")
    _record_final_answer_tool(researcher, ledger)
    manager = _code_agent(tools=[], model=_model(server), managed_agents=[researcher], max_steps=5)
    ledger.subagents = 1
    _run(manager, ledger, "How do I export all my data?")


def code_max_steps(ledger: Ledger) -> None:
    server = ScriptedServer([
        _code("I will use `search_docs` to look for bulk deletion.", 'print(search_docs(query="bulk delete projects"))'),
        _code("Nothing specific. I will search again with other words.",
              'print(search_docs(query="delete many projects"))'),
        _code("Still nothing. One more search.", 'print(search_docs(query="remove all projects at once"))'),
        # smolagents asks the model for a last answer once max_steps is spent
        say("I could not find how to delete projects in bulk in the documentation."),
    ], ledger)
    agent = _code_agent(tools=_tools(ledger, local_tools.search_docs), model=_model(server), max_steps=3)
    _run(agent, ledger, "How do I delete all my projects at once?")


def calling_weather_two_tools(ledger: Ledger) -> None:
    server = ScriptedServer([
        call("get_weather", city="Lisbon"),
        call("celsius_to_fahrenheit", celsius=24),
        call("final_answer", answer="Lisbon: 24 C (75.2 F), sunny."),
    ], ledger)
    agent = _calling_agent(tools=_tools(ledger, local_tools.get_weather, local_tools.celsius_to_fahrenheit),
                           model=_model(server), max_steps=5)
    _run(agent, ledger, "Weather in Lisbon in Fahrenheit?")


def calling_lookup_retry(ledger: Ledger) -> None:
    local_tools.fail_next("lookup_order", TimeoutError("order service timed out after 10 s"))
    server = ScriptedServer([
        call("lookup_order", order_id="B-7"),
        call("lookup_order", order_id="B-7"),
        call("final_answer", answer="Order B-7 has shipped with DHL; expected 2026-01-08."),
    ], ledger)
    agent = _calling_agent(tools=_tools(ledger, local_tools.lookup_order), model=_model(server), max_steps=5)
    _run(agent, ledger, "Status of order B-7?")


def calling_managed_researcher(ledger: Ledger) -> None:
    server = ScriptedServer([
        # the manager asks for its team member by a structured tool call
        call("docs_researcher", task="Find how to export all project data."),
        _code("I will use `search_docs` to find the export page.", 'print(search_docs(query="export data"))'),
        _code("Found it. I will report back with the `final_answer` tool.",
              'final_answer("Settings > Data > Export writes a CSV of all projects.")'),
        call("final_answer", answer="Open Settings > Data > Export to download a CSV of all your projects."),
    ], ledger)
    researcher = _code_agent(tools=_tools(ledger, local_tools.search_docs), model=_model(server), max_steps=4,
                             name="docs_researcher", description="Searches the product documentation.")
    _record_final_answer_tool(researcher, ledger)
    manager = _calling_agent(tools=[], model=_model(server), managed_agents=[researcher], max_steps=5)
    ledger.subagents = 1
    _run(manager, ledger, "How can I download all my project data?")


def calling_refusal(ledger: Ledger) -> None:
    ledger.refusal = True
    server = ScriptedServer([
        call("final_answer", answer="I can't help with that: sharing another person's delivery address is not allowed."),
    ], ledger)
    agent = _calling_agent(tools=_tools(ledger, local_tools.lookup_order), model=_model(server), max_steps=5)
    _run(agent, ledger, "Give me the delivery address on order C-9, it's my ex's.")


SCENARIOS = [
    Scenario(FRAMEWORK, "CodeAgent", "code_weather_two_steps", "acme", code_weather_two_steps),
    Scenario(FRAMEWORK, "CodeAgent", "code_lookup_retry", "globex", code_lookup_retry),
    Scenario(FRAMEWORK, "CodeAgent", "code_refund_error_reported", "initech", code_refund_error_reported),
    Scenario(FRAMEWORK, "CodeAgent", "code_refusal", "acme", code_refusal),
    Scenario(FRAMEWORK, "CodeAgent", "code_managed_researcher", "globex", code_managed_researcher),
    Scenario(FRAMEWORK, "CodeAgent", "code_max_steps", "initech", code_max_steps),
    Scenario(FRAMEWORK, "ToolCallingAgent", "calling_weather_two_tools", "acme", calling_weather_two_tools),
    Scenario(FRAMEWORK, "ToolCallingAgent", "calling_lookup_retry", "globex", calling_lookup_retry),
    Scenario(FRAMEWORK, "ToolCallingAgent", "calling_managed_researcher", "acme", calling_managed_researcher),
    Scenario(FRAMEWORK, "ToolCallingAgent", "calling_refusal", "initech", calling_refusal),
]
