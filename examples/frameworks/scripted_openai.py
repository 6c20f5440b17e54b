"""A stand-in for an OpenAI-compatible model server: replies come from a script, nothing leaves the process.

The frameworks' own OpenAI model classes (smolagents' OpenAIModel, the Agents SDK's OpenAIResponsesModel)
run unchanged over a real `openai` client whose HTTP transport is an `httpx.MockTransport` answering from
the script. So the spans are the ones a user of those classes gets, request building and response parsing
included, and no network or API key is needed. `Reply` and its helpers also script the LangChain stand-in
(run_langgraph.py).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import openai

from ledger import Ledger

BASE_URL = "http://scripted-model.invalid/v1"


@dataclass
class Reply:
    """One scripted model answer: text, tool calls (name, arguments), or a refusal."""

    text: str = ""
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    refusal: str = ""


def say(text: str) -> Reply:
    return Reply(text=text)


def call(name: str, text: str = "", **arguments: Any) -> Reply:
    return Reply(text=text, calls=[(name, arguments)])


def refuse(text: str) -> Reply:
    return Reply(refusal=text)


class ScriptedServer:
    """Answers /chat/completions and /responses with the next scripted reply, counting each call."""

    def __init__(self, replies: list[Reply], ledger: Ledger, model: str = "scripted-gpt"):
        self.replies = list(replies)
        self.ledger = ledger
        self.model = model
        self._ids = itertools.count(1)

    def sync_client(self) -> openai.OpenAI:
        return openai.OpenAI(api_key="scripted", base_url=BASE_URL, max_retries=0,
                             http_client=httpx.Client(transport=httpx.MockTransport(self._handle)))

    def async_client(self) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(api_key="scripted", base_url=BASE_URL, max_retries=0,
                                  http_client=httpx.AsyncClient(transport=httpx.MockTransport(self._handle)))

    def _handle(self, request: httpx.Request) -> httpx.Response:
        if not self.replies:
            return httpx.Response(500, json={"error": {"message": "script exhausted", "type": "server_error"}})
        reply = self.replies.pop(0)
        self.ledger.llm_calls += 1
        body = json.loads(request.content or b"{}")
        usage_in = len(json.dumps(body)) // 4
        if request.url.path.endswith("/responses"):
            return httpx.Response(200, json=self._response(reply, usage_in))
        return httpx.Response(200, json=self._chat_completion(reply, usage_in))

    def _chat_completion(self, reply: Reply, usage_in: int) -> dict[str, Any]:
        n = next(self._ids)
        message: dict[str, Any] = {"role": "assistant", "content": reply.text or reply.refusal or None}
        if reply.calls:
            message["tool_calls"] = [
                {"id": f"call_{n}_{i}", "type": "function",
                 "function": {"name": name, "arguments": json.dumps(arguments)}}
                for i, (name, arguments) in enumerate(reply.calls)
            ]
        usage_out = len(json.dumps(message)) // 4
        return {
            "id": f"chatcmpl-{n}", "object": "chat.completion", "created": 1767603600, "model": self.model,
            "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if reply.calls else "stop"}],
            "usage": {"prompt_tokens": usage_in, "completion_tokens": usage_out,
                      "total_tokens": usage_in + usage_out},
        }

    def _response(self, reply: Reply, usage_in: int) -> dict[str, Any]:
        n = next(self._ids)
        output: list[dict[str, Any]] = []
        if reply.text or reply.refusal:
            part = ({"type": "refusal", "refusal": reply.refusal} if reply.refusal
                    else {"type": "output_text", "text": reply.text, "annotations": []})
            output.append({"type": "message", "id": f"msg_{n}", "role": "assistant", "status": "completed",
                           "content": [part]})
        for i, (name, arguments) in enumerate(reply.calls):
            output.append({"type": "function_call", "id": f"fc_{n}_{i}", "call_id": f"call_{n}_{i}", "name": name,
                           "arguments": json.dumps(arguments), "status": "completed"})
        usage_out = len(json.dumps(output)) // 4
        return {
            "id": f"resp_{n}", "object": "response", "created_at": 1767603600, "model": self.model,
            "status": "completed", "output": output, "parallel_tool_calls": False, "tool_choice": "auto",
            "tools": [], "top_p": 1.0, "temperature": 1.0,
            "usage": {"input_tokens": usage_in, "output_tokens": usage_out, "total_tokens": usage_in + usage_out,
                      "input_tokens_details": {"cached_tokens": 0},
                      "output_tokens_details": {"reasoning_tokens": 0}},
        }
