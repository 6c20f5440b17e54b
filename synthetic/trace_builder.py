"""Builds one trace as a tree of dialect-neutral steps with a running clock.

Behaviours describe what the agent did (think, call a tool, answer) and the
builder keeps time, the conversation each agent sees, and token counts that
follow from message lengths. Rendering to span attributes happens later.
"""
import json
from contextlib import contextmanager
from dataclasses import dataclass, field

MS = 1_000_000


@dataclass
class Step:
    kind: str                      # "agent" | "llm" | "tool" | "chain" | "retriever" | "http"
    name: str
    start_ns: int
    end_ns: int = 0
    children: list = field(default_factory=list)
    input_text: str = ""
    output_text: str = ""
    messages_in: list = field(default_factory=list)
    output_message: dict = None
    finish_reason: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    tool_args: dict = None
    call_id: str = ""
    error_type: str = ""
    error_message: str = ""
    http_status: int = 0
    call_ids: list = field(default_factory=list)
    response_id: str = ""
    documents: list = None


def estimate_tokens(text):
    # ~4 characters per token is the usual rule of thumb for English and JSON
    return max(1, len(text) // 4)


def _message_tokens(message):
    # cached on the message: every later model call re-counts the whole history
    if message.get("_counted"):
        return message["_counted"]
    n = message.get("tokens") or estimate_tokens(message.get("content") or "")
    for call in message.get("tool_calls", ()):
        n += estimate_tokens(json.dumps(call["arguments"])) + 8
    message["_counted"] = n + 4
    return n + 4


class TraceBuilder:
    """Records steps under the currently open agent, advancing a shared clock."""

    def __init__(self, scene, start_ns):
        self.sc = scene
        self.rng = scene.rng
        self.now = start_ns
        self.root = None
        self._stack = []
        self.history = []
        self.last_answer = ""
        self._call_counter = 0

    # -- time -----------------------------------------------------------
    def wait(self, ms):
        self.now += int(ms * MS)

    def _add(self, step):
        if self._stack:
            self._stack[-1].children.append(step)
        else:
            self.root = step

    def new_call_id(self):
        self._call_counter += 1
        if self.sc.model.provider == "anthropic":
            return f"toolu_{self.rng.getrandbits(64):016x}"
        return f"call_{self.rng.getrandbits(60):015x}{self._call_counter}"

    def _response_id(self):
        provider = self.sc.model.provider
        if provider == "anthropic":
            return f"msg_{self.rng.getrandbits(96):024x}"
        if "openai" in provider:
            return f"chatcmpl-{self.rng.getrandbits(100):025x}"
        return f"{self.rng.getrandbits(64):016x}"

    # -- structure ------------------------------------------------------
    @contextmanager
    def http_request(self, route):
        """A web framework's server span wrapping the whole agent run."""
        step = Step("http", route, self.now)
        self._add(step)
        self._stack.append(step)
        self.wait(self.rng.uniform(0.5, 4))
        try:
            yield step
        finally:
            self.wait(self.rng.uniform(0.5, 8))
            step.end_ns = self.now
            self._stack.pop()
            failed = any(c.error_type for c in step.children)
            step.http_status = 500 if failed else 200

    @contextmanager
    def agent(self, name, task, relay=False):
        """Opens an agent span; its conversation starts from the given task.

        On close the agent's answer is handed to the parent's conversation; with
        relay=True it also becomes the parent's answer (a wrapper agent).
        """
        step = Step("agent", name, self.now, input_text=task)
        self._add(step)
        self._stack.append(step)
        outer_history, outer_answer = self.history, self.last_answer
        self.history = [{"role": "user", "content": task}]
        self.last_answer = ""
        self.wait(self.rng.uniform(1, 15))
        try:
            yield step
        finally:
            self.wait(self.rng.uniform(1, 10))
            step.end_ns = self.now
            step.output_text = self.last_answer
            self._stack.pop()
            inner_answer = self.last_answer
            self.history, self.last_answer = outer_history, outer_answer
            if self._stack and inner_answer:
                self.history.append({"role": "tool", "name": name, "content": inner_answer,
                                     "tool_call_id": ""})
                if relay:
                    self.last_answer = inner_answer

    def fail_agent(self, error_type, message):
        """Marks the innermost open agent as failed (e.g. max iterations reached)."""
        agent = next(s for s in reversed(self._stack) if s.kind == "agent")
        agent.error_type, agent.error_message = error_type, message

    def fail_all_agents(self, error_type, message):
        for agent in self._stack:
            if agent.kind != "agent":
                continue
            agent.error_type, agent.error_message = error_type, message

    # -- model calls ----------------------------------------------------
    def llm(self, text="", tool_calls=(), finish=None, error=None, extra_input_tokens=0,
            output_tokens=None, chain=False):
        """One model call seeing the current conversation; returns its Step.

        tool_calls: [(name, args)] the model asks for; their ids are returned in
        step.output_message. error: (type, message, http_status) for a failed call.
        """
        model = self.sc.model
        calls = [{"id": self.new_call_id(), "name": n, "arguments": a} for n, a in tool_calls]
        call_ids = [c["id"] for c in calls]
        if calls and self.sc.text_tool_protocol:
            text = "\n".join([text] * bool(text) + [f"Action: {c['name']}\nAction Input: {json.dumps(c['arguments'])}"
                                                    for c in calls])
            calls = []
        message = {"role": "assistant", "content": text, "tool_calls": calls}
        tokens_in = (estimate_tokens(self.sc.system_prompt) + self.sc.tool_schema_tokens
                     + sum(_message_tokens(m) for m in self.history))
        tokens_in += extra_input_tokens
        tokens_out = output_tokens or (_message_tokens(message) if not error else 0)
        step = Step("chain" if chain else "llm", model.name, self.now,
                    messages_in=list(self.history), tokens_in=tokens_in, tokens_out=tokens_out, call_ids=call_ids)
        latency = 180 + tokens_out * self.rng.uniform(8, 30) + tokens_in * 0.004
        if error:
            step.error_type, step.error_message, step.http_status = error
            latency = self.rng.uniform(80, 900)
        else:
            step.output_message = message
            step.response_id = self._response_id()
            step.finish_reason = finish or ("tool_calls" if calls else "stop")
            self.history.append(message)
        self.wait(latency)
        step.end_ns = self.now
        self._add(step)
        self.wait(self.rng.uniform(0.5, 6))
        return step

    def say(self, text, **kwargs):
        """A model call that only narrates (plans, reflects) without calling tools."""
        return self.llm(text, **kwargs)

    def answer(self, text, finish="stop", output_tokens=None):
        """The model's final answer to the user for the current agent."""
        step = self.llm(text, finish=finish, output_tokens=output_tokens)
        self.last_answer = text
        return step

    # -- retrieval --------------------------------------------------------
    def retrieve(self, query, documents, store="knowledge_base"):
        """A vector-store lookup; documents are [{"id", "content", "score"}], added to the model's context."""
        step = Step("retriever", store, self.now, input_text=query, documents=documents)
        self.wait(self.rng.uniform(40, 600))
        step.end_ns = self.now
        self._add(step)
        context = "\n\n".join(d["content"] for d in documents)
        self.history.append({"role": "user", "content": f"Context:\n{context}"})
        self.wait(self.rng.uniform(0.2, 3))
        return step

    # -- tools ----------------------------------------------------------
    def run_tool(self, name, args, call_id, result=None, error=None, latency_ms=None, result_tokens=None):
        """Executes a tool span; error is (type, message, http_status). Appends the tool message."""
        step = Step("tool", name, self.now, tool_args=args, call_id=call_id)
        if error:
            step.error_type, step.error_message, step.http_status = error
            content = f"Error: {error[1]}"
        else:
            content = result if isinstance(result, str) else json.dumps(result)
            step.output_text = content
        latency = latency_ms if latency_ms is not None else self.rng.uniform(35, 1400)
        self.wait(latency)
        step.end_ns = self.now
        self._add(step)
        self.history.append({"role": "tool", "tool_call_id": call_id, "name": name, "content": content,
                             "tokens": result_tokens})
        self.wait(self.rng.uniform(0.2, 4))
        return step

    def call(self, tool, args=None, result=None, error=None, say="", latency_ms=None, result_tokens=None):
        """The model asks for a tool (one LLM span) and the tool runs (one TOOL span)."""
        args = tool.args if args is None else args
        decided = self.llm(say, tool_calls=[(tool.name, args)])
        call_id = decided.call_ids[0]
        if result is None and error is None:
            result = tool.result
        return self.run_tool(tool.name, args, call_id, result=result, error=error,
                             latency_ms=latency_ms, result_tokens=result_tokens)
