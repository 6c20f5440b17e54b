"""LangGraph scenarios: the prebuilt ReAct agent (`create_react_agent`) over a scripted LangChain chat model,
traced by openinference-instrumentation-langchain (LangGraph runs through LangChain's callbacks)."""

from __future__ import annotations

import warnings
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import tool
from langgraph.errors import GraphRecursionError
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, create_react_agent, tools_condition
from openinference.instrumentation.langchain import LangChainInstrumentor
from pydantic import ConfigDict

import local_tools
from ledger import Ledger
from scenario import Scenario
from scripted_openai import Reply, call, say

FRAMEWORK = "langgraph"

# create_react_agent is deprecated in favour of langchain's create_agent, which needs the full `langchain`
# package; the prebuilt agent is what most LangGraph code in the wild still runs.
warnings.filterwarnings("ignore", message=".*create_react_agent.*")


def instrument(provider: Any) -> None:
    LangChainInstrumentor().instrument(tracer_provider=provider)


class ScriptedChatModel(BaseChatModel):
    """A LangChain chat model that answers from a script and accepts `bind_tools`, as agents require."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    replies: list[Reply]
    ledger: Ledger
    model_name: str = "scripted-chat"
    # Tool calls this model asked for, to tell when the graph stopped the run before running them.
    asked: int = 0

    @property
    def _llm_type(self) -> str:
        return "scripted-chat"

    def bind_tools(self, tools: Any, **kwargs: Any) -> "ScriptedChatModel":
        return self

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None,
                  **kwargs: Any) -> ChatResult:
        reply = self.replies.pop(0)
        self.ledger.llm_calls += 1
        self.asked += len(reply.calls)
        n = self.ledger.llm_calls
        prompt_tokens = sum(len(str(m.content)) for m in messages) // 4
        message = AIMessage(
            content=reply.text,
            tool_calls=[{"name": name, "args": args, "id": f"call_{n}_{i}", "type": "tool_call"}
                        for i, (name, args) in enumerate(reply.calls)],
            usage_metadata={"input_tokens": prompt_tokens, "output_tokens": 20, "total_tokens": prompt_tokens + 20},
            response_metadata={"model_name": self.model_name,
                               "finish_reason": "tool_calls" if reply.calls else "stop"},
        )
        return ChatResult(generations=[ChatGeneration(message=message)],
                          llm_output={"model_name": self.model_name,
                                      "token_usage": {"prompt_tokens": prompt_tokens, "completion_tokens": 20,
                                                      "total_tokens": prompt_tokens + 20}})


def _tools(ledger: Ledger, *functions: Any) -> ToolNode:
    # handle_tool_errors=True: a tool's exception goes back to the model as an error message (LangGraph's
    # documented way to let an agent recover), instead of ending the run.
    return ToolNode([tool(ledger.tool(f), parse_docstring=True) for f in functions], handle_tool_errors=True)


def _agent(ledger: Ledger, replies: list[Reply], *functions: Any, **kwargs: Any) -> Any:
    return create_react_agent(ScriptedChatModel(replies=replies, ledger=ledger), _tools(ledger, *functions), **kwargs)


def _run(agent: Any, ledger: Ledger, question: str, **config: Any) -> None:
    result = agent.invoke({"messages": [("user", question)]}, config=config or None)
    ledger.final_answer = str(result["messages"][-1].content)


def react_weather_two_tools(ledger: Ledger) -> None:
    agent = _agent(ledger, [
        call("get_weather", city="Paris"),
        call("celsius_to_fahrenheit", celsius=18),
        say("Paris: 18 C (64.4 F), light rain."),
    ], local_tools.get_weather, local_tools.celsius_to_fahrenheit)
    _run(agent, ledger, "What's the weather in Paris, in Fahrenheit?")


def react_lookup_retry(ledger: Ledger) -> None:
    local_tools.fail_next("lookup_order", ConnectionError("503 Service Unavailable: order service is restarting"))
    agent = _agent(ledger, [
        call("lookup_order", order_id="A-1042"),
        call("lookup_order", order_id="A-1042"),
        say("Order A-1042 has shipped with DHL and should arrive on 2026-01-08."),
    ], local_tools.lookup_order)
    _run(agent, ledger, "Where is my order A-1042?")


def react_refund_error_reported(ledger: Ledger) -> None:
    local_tools.fail_next("refund_order", PermissionError("403 Forbidden: refunds above 100 EUR need a supervisor"))
    agent = _agent(ledger, [
        call("lookup_order", order_id="A-1042"),
        call("refund_order", order_id="A-1042", amount=240.0),
        say("I could not issue the refund: the refund system refused it (refunds above 100 EUR need a "
            "supervisor). Nothing was refunded."),
    ], local_tools.lookup_order, local_tools.refund_order)
    _run(agent, ledger, "Refund 240 EUR on order A-1042.")


def react_refusal(ledger: Ledger) -> None:
    ledger.refusal = True
    agent = _agent(ledger, [
        say("I'm sorry, but I can't help with that: I can only share orders on your own account."),
    ], local_tools.lookup_order)
    _run(agent, ledger, "Show me my neighbour's order history.")


def supervisor_with_billing_agent(ledger: Ledger) -> None:
    # LangGraph's tool-calling supervisor pattern: a sub-agent wrapped in a tool the supervisor calls.
    billing = _agent(ledger, [
        call("lookup_order", order_id="A-1042"),
        say("A-1042 was charged 240 EUR on 2026-01-02 and has shipped."),
    ], local_tools.lookup_order, name="billing_agent")

    def ask_billing_agent(question: str) -> str:
        """Ask the billing agent a question about charges and orders.

        Args:
            question: The question, in full.
        """
        ledger.subagents += 1
        return str(billing.invoke({"messages": [("user", question)]})["messages"][-1].content)

    supervisor = create_react_agent(
        ScriptedChatModel(replies=[
            call("ask_billing_agent", question="What was order A-1042 charged, and has it shipped?"),
            say("Order A-1042 was charged 240 EUR on 2026-01-02 and it has shipped."),
        ], ledger=ledger),
        _tools(ledger, ask_billing_agent), name="support_supervisor")
    _run(supervisor, ledger, "How much was I charged for A-1042, and where is it?")


def react_step_budget(ledger: Ledger) -> None:
    model = ScriptedChatModel(replies=[call("search_docs", query=f"delete projects in bulk, attempt {i}")
                                       for i in range(1, 4)], ledger=ledger)
    agent = create_react_agent(model, _tools(ledger, local_tools.search_docs))
    # Each model turn and each tool turn is a graph step. The prebuilt agent watches its remaining steps:
    # with too few left it answers "Sorry, need more steps" instead of running the call the model asked for.
    _run(agent, ledger, "How do I delete all my projects at once?", recursion_limit=6)
    ledger.max_steps_hit = model.asked > len(ledger.tool_runs)


def graph_recursion_limit(ledger: Ledger) -> None:
    # A hand-built ReAct loop has no step budget of its own: LangGraph stops it with GraphRecursionError.
    model = ScriptedChatModel(replies=[call("search_docs", query=f"archive old projects, attempt {i}")
                                       for i in range(1, 4)], ledger=ledger)
    graph = StateGraph(MessagesState)
    graph.add_node("assistant", lambda state: {"messages": [model.invoke(state["messages"])]})
    graph.add_node("tools", _tools(ledger, local_tools.search_docs))
    graph.add_edge(START, "assistant")
    graph.add_conditional_edges("assistant", tools_condition)
    graph.add_edge("tools", "assistant")
    try:
        _run(graph.compile(name="docs_agent"), ledger, "How do I archive old projects?", recursion_limit=5)
    except GraphRecursionError:
        ledger.max_steps_hit = True


SCENARIOS = [
    Scenario(FRAMEWORK, "create_react_agent", "react_weather_two_tools", "acme", react_weather_two_tools),
    Scenario(FRAMEWORK, "create_react_agent", "react_lookup_retry", "globex", react_lookup_retry),
    Scenario(FRAMEWORK, "create_react_agent", "react_refund_error_reported", "initech", react_refund_error_reported),
    Scenario(FRAMEWORK, "create_react_agent", "react_refusal", "acme", react_refusal),
    Scenario(FRAMEWORK, "create_react_agent", "supervisor_with_billing_agent", "globex", supervisor_with_billing_agent),
    Scenario(FRAMEWORK, "create_react_agent", "react_step_budget", "initech", react_step_budget),
    Scenario(FRAMEWORK, "StateGraph", "graph_recursion_limit", "acme", graph_recursion_limit),
]
