"""Renders a step tree as OTLP spans in the GenAI or OpenInference dialect.

The dialect is a per-trace choice (and "mixed" renders model calls in GenAI
and everything else in OpenInference, as when two instrumentations overlap).
Nothing here knows which behaviour produced the steps.
"""
import json

GENAI_SCOPES = ("opentelemetry.instrumentation.openai_v2", "opentelemetry.instrumentation.anthropic",
                "agent_framework", "strands.telemetry.tracer", "opentelemetry.instrumentation.google_genai")
OI_SCOPES = ("openinference.instrumentation.langchain", "openinference.instrumentation.openai",
             "openinference.instrumentation.llama_index", "openinference.instrumentation.crewai",
             "openinference.instrumentation.smolagents")
WEB_SCOPES = ("opentelemetry.instrumentation.fastapi", "opentelemetry.instrumentation.flask",
              "opentelemetry.instrumentation.django")
SPAN_KIND_SERVER = 2
_OI_LLM_NAMES = {"openai": ("ChatOpenAI", "OpenAI.chat.completions.create", "llm"),
                 "anthropic": ("ChatAnthropic", "Anthropic.messages.create", "llm")}
SPAN_KIND_INTERNAL, SPAN_KIND_CLIENT = 1, 3
MAX_RENDERED_MESSAGES = 6   # instrumentations rarely record a whole long history; keeps files small


def _str(key, value):
    return {"key": key, "value": {"stringValue": value}}


def _int(key, value):
    return {"key": key, "value": {"intValue": str(int(value))}}


def _float(key, value):
    return {"key": key, "value": {"doubleValue": value}}


def _strings(key, values):
    return {"key": key, "value": {"arrayValue": {"values": [{"stringValue": v} for v in values]}}}


def _dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class SpanRenderer:
    """Turns one trace's steps into (scope name, span dict) pairs."""

    def __init__(self, scene, trace_id, rng):
        self.sc = scene
        self.trace_id = trace_id
        self.rng = rng
        self.genai_scope = rng.choice(GENAI_SCOPES)
        self.oi_scope = rng.choice(OI_SCOPES)
        self.web_scope = rng.choice(WEB_SCOPES)
        self.gemini_native = rng.random() < 0.5
        self.spans = []
        self._system_sent = False

    def render(self, root):
        self._walk(root, "")
        return self.spans

    def _new_span_id(self):
        return f"{self.rng.getrandbits(63) | 1:016x}"

    def _walk(self, step, parent_id):
        span_id = self._new_span_id()
        dialect = self.sc.dialect
        if dialect == "mixed":
            dialect = "genai" if step.kind == "llm" else "openinference"
        if step.kind == "http":
            name, kind, attrs = self._http(step)
            scope = self.web_scope
        elif dialect == "genai":
            name, kind, attrs = self._genai(step)
            scope = self.genai_scope
        else:
            name, kind, attrs = self._openinference(step)
            scope = self.oi_scope
        span = {"traceId": self.trace_id, "spanId": span_id, "parentSpanId": parent_id, "name": name,
                "kind": kind, "startTimeUnixNano": str(step.start_ns), "endTimeUnixNano": str(step.end_ns),
                "attributes": attrs}
        if not parent_id and self.rng.random() < 0.5:
            del span["parentSpanId"]   # exporters differ: some omit the field for roots
        if step.kind == "http":
            if step.http_status >= 500:
                span["status"] = {"code": 2, "message": ""}
        elif step.error_type:
            span["status"] = {"code": 2, "message": step.error_message}
            if dialect == "openinference" or self.rng.random() < 0.7:
                span["events"] = [{"timeUnixNano": str(step.end_ns), "name": "exception", "attributes": [
                    _str("exception.type", step.error_type), _str("exception.message", step.error_message)]}]
        elif step.kind in ("llm", "tool") and self.rng.random() < 0.5:
            span["status"] = {"code": 1}
        self.spans.append((scope, span))
        for child in step.children:
            self._walk(child, span_id)

    def _http(self, step):
        return f"POST {step.name}", SPAN_KIND_SERVER, [
            _str("http.request.method", "POST"), _str("url.path", step.name), _str("url.scheme", "https"),
            _int("http.response.status_code", step.http_status), _str("user_agent.original", "python-httpx/0.27.0")]

    # -- GenAI semantic conventions ----------------------------------
    def _genai_common(self, operation):
        model = self.sc.model
        attrs = [_str("gen_ai.operation.name", operation)]
        if self.sc.legacy_genai_names:
            attrs.append(_str("gen_ai.system", model.legacy_system))
        else:
            attrs.append(_str("gen_ai.provider.name", model.provider))
        return attrs

    def _genai_messages(self, messages):
        out = []
        for m in messages[-MAX_RENDERED_MESSAGES:]:
            if m["role"] == "tool":
                result_key = "response" if self.sc.legacy_genai_names else "result"
                out.append({"role": "tool", "parts": [{"type": "tool_call_response", "id": m.get("tool_call_id", ""),
                                                        result_key: m["content"]}]})
                continue
            parts = [{"type": "text", "content": m["content"]}] if m.get("content") else []
            parts += [{"type": "tool_call", "id": c["id"], "name": c["name"], "arguments": c["arguments"]}
                      for c in m.get("tool_calls", ())]
            out.append({"role": m["role"], "parts": parts})
        return out

    def _genai(self, step):
        sc = self.sc
        if step.kind == "agent":
            attrs = self._genai_common("invoke_agent") + [
                _str("gen_ai.agent.name", step.name), _str("gen_ai.conversation.id", sc.session_id),
                _str("gen_ai.request.model", sc.model.name)]
            if self.rng.random() < 0.6:
                attrs.append(_str("gen_ai.input.messages", _dumps(
                    [{"role": "user", "parts": [{"type": "text", "content": step.input_text}]}])))
                if step.output_text:
                    attrs.append(_str("gen_ai.output.messages", _dumps(
                        [{"role": "assistant", "parts": [{"type": "text", "content": step.output_text}]}])))
            if step.error_type:
                attrs.append(_str("error.type", step.error_type))
            return f"invoke_agent {step.name}", SPAN_KIND_INTERNAL, attrs
        if step.kind == "retriever":
            attrs = self._genai_common("retrieval") + [
                _str("gen_ai.data_source.id", step.name), _str("gen_ai.retrieval.query.text", step.input_text),
                _str("gen_ai.retrieval.documents", _dumps([{"id": d["id"], "score": d["score"]} for d in step.documents]))]
            return f"retrieval {step.name}", SPAN_KIND_CLIENT, attrs
        if step.kind == "tool":
            attrs = self._genai_common("execute_tool")[:1] + [
                _str("gen_ai.tool.name", step.name), _str("gen_ai.tool.type", "function"),
                _str("gen_ai.tool.call.id", step.call_id), _str("gen_ai.tool.call.arguments", _dumps(step.tool_args))]
            if step.error_type:
                attrs.append(_str("error.type", step.error_type))
                if step.http_status:
                    attrs.append(_int("http.response.status_code", step.http_status))
            else:
                attrs.append(_str("gen_ai.tool.call.result", step.output_text))
            return f"execute_tool {step.name}", SPAN_KIND_INTERNAL, attrs
        operation = "generate_content" if sc.model.provider == "gcp.gemini" and self.gemini_native else "chat"
        attrs = self._genai_common(operation) + [_str("gen_ai.request.model", sc.model.name)]
        if not self._system_sent or self.rng.random() < 0.3:
            attrs.append(_str("gen_ai.system_instructions", _dumps([{"type": "text", "content": sc.system_prompt}])))
            self._system_sent = True
        if sc.capture_genai_inputs:
            attrs.append(_str("gen_ai.input.messages", _dumps(self._genai_messages(step.messages_in))))
        in_key, out_key = (("gen_ai.usage.prompt_tokens", "gen_ai.usage.completion_tokens") if sc.legacy_genai_names
                           else ("gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens"))
        attrs.append(_int(in_key, step.tokens_in))
        if step.error_type:
            attrs.append(_str("error.type", step.error_type))
        else:
            attrs += [_str("gen_ai.response.model", sc.model.name), _str("gen_ai.response.id", step.response_id),
                      _strings("gen_ai.response.finish_reasons", [step.finish_reason]), _int(out_key, step.tokens_out)]
            if sc.model.provider == "anthropic" and step.tokens_in > 1024 and self.rng.random() < 0.5:
                attrs.append(_int("gen_ai.usage.cache_read.input_tokens", step.tokens_in * 2 // 3))
            out = self._genai_messages([step.output_message])[0]
            out["finish_reason"] = step.finish_reason
            attrs.append(_str("gen_ai.output.messages", _dumps([out])))
        return f"{operation} {sc.model.name}", SPAN_KIND_CLIENT, attrs

    # -- OpenInference ------------------------------------------------
    def _oi_messages(self, prefix, messages, attrs):
        for i, m in enumerate(messages):
            base = f"{prefix}.{i}.message"
            attrs.append(_str(base + ".role", m["role"]))
            if m.get("content"):
                attrs.append(_str(base + ".content", m["content"]))
            for j, c in enumerate(m.get("tool_calls", ())):
                tc = f"{base}.tool_calls.{j}.tool_call"
                attrs += [_str(tc + ".id", c["id"]), _str(tc + ".function.name", c["name"]),
                          _str(tc + ".function.arguments", _dumps(c["arguments"]))]

    def _openinference(self, step):
        sc = self.sc
        session = [_str("session.id", sc.session_id)]
        if step.kind == "agent":
            attrs = [_str("openinference.span.kind", "AGENT"), _str("agent.name", step.name),
                     _str("input.value", step.input_text), _str("input.mime_type", "text/plain")] + session
            if step.output_text:
                attrs.append(_str("output.value", step.output_text))
            if self.rng.random() < 0.4:
                attrs.append(_str("user.id", sc.fill["email"]))
            return step.name, SPAN_KIND_INTERNAL, attrs
        if step.kind == "tool":
            args = _dumps(step.tool_args)
            attrs = [_str("openinference.span.kind", "TOOL"), _str("tool.name", step.name),
                     _str("tool.parameters", args), _str("input.value", args),
                     _str("input.mime_type", "application/json")] + session
            if not step.error_type:
                attrs += [_str("output.value", step.output_text), _str("output.mime_type", "application/json")]
            return step.name, SPAN_KIND_INTERNAL, attrs
        if step.kind == "retriever":
            attrs = [_str("openinference.span.kind", "RETRIEVER"), _str("input.value", step.input_text)] + session
            for i, d in enumerate(step.documents):
                base = f"retrieval.documents.{i}.document"
                attrs += [_str(base + ".id", d["id"]), _str(base + ".content", d["content"]), _float(base + ".score", d["score"])]
            return self.rng.choice(("retrieve", "VectorStoreRetriever", "BaseRetriever.retrieve")), SPAN_KIND_INTERNAL, attrs
        if step.kind == "chain":
            attrs = [_str("openinference.span.kind", "CHAIN"),
                     _str("input.value", step.messages_in[0]["content"] if step.messages_in else "")] + session
            if step.output_message:
                attrs.append(_str("output.value", step.output_message["content"]))
            return self.rng.choice(("router", "RouterChain", "RunnableSequence")), SPAN_KIND_INTERNAL, attrs
        names = _OI_LLM_NAMES.get(sc.model.provider, ("llm", "completion", "ChatModel"))
        attrs = [_str("openinference.span.kind", "LLM"), _str("llm.model_name", sc.model.name),
                 _str("llm.provider", sc.model.oi_provider),
                 _int("llm.token_count.prompt", step.tokens_in),
                 _str("llm.invocation_parameters", _dumps({"temperature": sc.temperature, "max_tokens": sc.model.max_output}))] + session
        msgs = [{"role": "system", "content": sc.system_prompt}] + step.messages_in[-MAX_RENDERED_MESSAGES:]
        self._oi_messages("llm.input_messages", msgs, attrs)
        if not step.error_type:
            out = step.output_message
            attrs += [_int("llm.token_count.completion", step.tokens_out),
                      _int("llm.token_count.total", step.tokens_in + step.tokens_out),
                      _str("output.value", out["content"] or _dumps(out["tool_calls"]))]
            self._oi_messages("llm.output_messages", [out], attrs)
        return self.rng.choice(names), SPAN_KIND_INTERNAL, attrs
