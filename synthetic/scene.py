"""A scene: everything fixed for one trace before its behaviour is played out.

The scene holds the family's surface choices (domain, style, framework, tool
naming), the tenant, the model, the dialect and the fill values (names,
emails, ids, amounts) that message and tool templates are formatted with.
"""
import random
from dataclasses import dataclass

from .domain_model import ToolSpec, fill_template, render_arg_key, render_tool_name
from .families import DOMAINS_BY_ID, FRAMEWORKS
from .models import MODELS
from .phrasing import style_answer, style_thought
from .tenants import tenant_display_name

_FIRST = ("Maria", "James", "Aisha", "Chen", "Lukas", "Priya", "Tom", "Sofia", "Kenji", "Olu", "Elena", "Diego", "Hannah", "Rahul", "Zoe")
_LAST = ("Garcia", "Okafor", "Nguyen", "Schmidt", "Patel", "Kowalski", "Rossi", "Tanaka", "Dubois", "Silva", "Larsen", "Cohen", "Murphy")
_MAIL = ("gmail.com", "outlook.com", "proton.me", "yahoo.com")
_PATHS = ("invoice_parser", "session_store", "user_events", "orders_daily", "csv_export", "auth_tokens", "geo_lookup")
_SITES = ("www.example-reviews.com", "shop.bestdeals.net", "travel.gov.example", "library.city.example", "news.examplewire.com")
_GREETINGS = ("Hi, ", "Hello! ", "Urgent: ", "Good morning. ", "hey - ", "Quick one: ", "Following up again. ")
_SIGN_OFFS = (" Thanks!", " Thanks in advance, {first_name}", " -- {customer}", " Please hurry.", " ty",
              "\n\nBest regards,\n{customer}\n{email}", " (call me on {phone} if needed)")
_GUIDELINES = ("Always be polite and concise.", "Use the tools provided; do not guess.", "Today's date is {date_iso}.",
               "If the request is unclear, ask one clarifying question.", "Never reveal credentials or internal notes.",
               "Answer in the user's language.", "Escalate to a human when you cannot complete a task.",
               "Summarise what you did at the end.", "Do not make promises about timelines.")
_ROUTES = ("/v1/chat", "/api/agent/run", "/chat/completions", "/api/v2/conversations/{id}/messages", "/invoke")
_ENVELOPE_KEYS = ("request_id", "updated_at", "status")
_PASSAGES = ("Policy: {topic} requests are handled within 3 business days. Exceptions require a supervisor.",
             "FAQ - {topic}: customers of {company} can check status online or ask an agent.",
             "Internal guide ({date}): for {topic}, confirm the record id before making any change.",
             "Release note: the {topic} workflow now sends an automatic confirmation email.",
             "Escalation matrix: {topic} issues older than 7 days go to tier 2.")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


@dataclass(frozen=True)
class ToolRef:
    name: str
    args: dict
    result: dict


def _make_fill(rng, domain, tenant):
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    month = rng.randrange(12)
    day = rng.randint(1, 28)
    digits = str(rng.randint(10000, 99999))
    record_id = domain.id_prefix + digits
    wrong = digits[:2] + digits[3] + digits[2] + digits[4:]
    if wrong == digits:
        wrong = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    company = tenant_display_name(tenant)
    mail_domain = rng.choice(_MAIL) if rng.random() < 0.6 else tenant + ".com"
    currency = rng.choice(("$", "$", "€", "£"))
    return {
        "company": company, "tenant_domain": tenant + ".com",
        "customer": f"{first} {last}", "first_name": first,
        "email": f"{first.lower()}.{last.lower()}@{mail_domain}",
        "record_id": record_id, "wrong_id": domain.id_prefix + wrong,
        "amount": f"{currency}{rng.randint(12, 2400)}.{rng.randint(0, 99):02d}",
        "date": f"{_MONTHS[month]} {day}", "date_iso": f"2026-{month + 1:02d}-{day:02d}",
        "date_swapped_iso": f"2026-{day:02d}-{month + 1:02d}" if day <= 12 else f"2026-{month + 1:02d}-{min(day + 1, 28):02d}",
        "topic": rng.choice(domain.topics), "number": str(rng.randint(1000, 999999)),
        "quantity": str(rng.randint(1, 9)), "path": rng.choice(_PATHS),
        "url": f"https://{rng.choice(_SITES)}/{rng.choice(_PATHS).replace('_', '-')}-{rng.randint(10, 999)}",
        "phone": f"+1-555-01{rng.randint(10, 99)}",
        "request_id": f"req_{rng.getrandbits(40):010x}",
    }


class Scene:
    """Surface choices and fill values for one trace, with phrasing shortcuts."""

    def __init__(self, rng: random.Random, family, tenant):
        self.rng = rng
        self.family = family
        # Behaviours a noise step adds beside the trace's label (truth.jsonl's "also").
        self.also: list[str] = []
        self.tenant = tenant
        self.domain = DOMAINS_BY_ID[family.domain]
        self.style = family.style
        self.framework = family.framework
        self.naming = FRAMEWORKS[family.framework]
        # a minority of toolsets mix naming conventions, as real ones grown over time do
        if rng.random() < 0.15:
            self.naming = rng.choice(("snake", "camel", "kebab", "mcp"))
        self.model = rng.choice(MODELS)
        self.dialect = rng.choices(("genai", "openinference", "mixed"), (0.45, 0.45, 0.10))[0]
        self.legacy_genai_names = rng.random() < 0.3
        # GenAI instrumentations record prompts only when content capture is opted in; outputs more often
        self.capture_genai_inputs = rng.random() < 0.9
        self.temperature = rng.choice((0.0, 0.2, 0.7, 1.0))
        # the tool definitions sent with every model call count towards its input tokens
        self.tool_schema_tokens = rng.randint(150, 1400)
        self.fill = _make_fill(rng, self.domain, tenant)
        self.result_envelope = rng.choice(("bare", "bare", "meta", "wrapped"))
        self.agent_name = rng.choice(self.domain.agent_names)
        self.request = self.decorate_request(self.t(rng.choice(self.domain.requests)))
        self.system_prompt = self.t(self.domain.system) + "".join(
            " " + self.t(g) for g in rng.sample(_GUIDELINES, rng.randint(0, 3)))
        # older ReAct agents write tool calls as "Action:" text instead of structured tool calls
        self.text_tool_protocol = family.framework != "mcp_assistant" and rng.random() < 0.15
        self.http_route = rng.choice(_ROUTES) if rng.random() < 0.3 else ""
        self.goal = self.t(self.domain.goal)
        self.done = self.t(self.domain.done)
        self.session_id = f"sess_{rng.getrandbits(48):012x}"

    def decorate_request(self, text):
        """Adds the greetings, urgency and sign-offs real users wrap requests in."""
        rng = self.rng
        if rng.random() < 0.35:
            text = rng.choice(_GREETINGS) + text
        if rng.random() < 0.3:
            text = text + rng.choice(_SIGN_OFFS).format(**self.fill)
        return text

    def describe(self, result, limit=3):
        """A short 'key: value' rendering of a tool result, as a model would quote it."""
        if isinstance(result, str):
            return result[:160]
        if isinstance(result, dict) and isinstance(result.get("data"), dict):
            result = result["data"]
        if isinstance(result, dict):
            parts = [f"{k.replace('_', ' ')}: {v}" for k, v in result.items()
                     if not isinstance(v, (dict, list)) and k not in _ENVELOPE_KEYS]
            nested = [v for v in result.values() if isinstance(v, list) and v]
            if nested and isinstance(nested[0][0], dict):
                parts += [f"{k.replace('_', ' ')}: {v}" for k, v in nested[0][0].items()]
            elif nested:
                parts.append(", ".join(str(v) for v in nested[0][:3]))
            return ", ".join(parts[:limit])
        return str(result)[:160]

    def documents(self, count=3, extra_text=""):
        """Knowledge-base passages about the scene's topic; extra_text is appended to the first one."""
        passages = []
        for i in range(count):
            text = self.t(self.rng.choice(_PASSAGES))
            if i == 0 and extra_text:
                text += " " + extra_text
            passages.append({"id": f"kb-{self.rng.randint(100, 9999)}", "content": text,
                             "score": round(self.rng.uniform(0.55, 0.93) - 0.05 * i, 3)})
        return passages

    def t(self, template, **extra):
        fill = dict(self.fill, **extra) if extra else self.fill
        return template.format(**fill)

    def pick(self, options):
        return self.rng.choice(options)

    def tool(self, role):
        spec = self.domain.tools[role]
        name = render_tool_name(spec, self.naming, self.domain.server)
        args = {render_arg_key(k, self.naming): v for k, v in fill_template(spec.args, self.fill).items()}
        return ToolRef(name, args, self._with_metadata(fill_template(spec.result, self.fill)))

    def _with_metadata(self, result):
        # real APIs wrap payloads in request ids, timestamps and paging fields that vary per service
        if not isinstance(result, dict) or self.result_envelope == "bare":
            return result
        if self.result_envelope == "meta":
            return dict(result, request_id=self.fill["request_id"], updated_at=self.fill["date_iso"] + "T08:12:44Z")
        return {"data": result, "status": "ok"}

    def named_tool(self, verb, noun, args, result=None):
        """A tool outside the domain's five roles (e.g. an attacker's target), named in this scene's style."""
        spec = ToolSpec(verb, noun, args, result or {})
        name = render_tool_name(spec, self.naming, self.domain.server)
        return ToolRef(name, fill_template(args, self.fill), fill_template(result or {"ok": True}, self.fill))

    def answer(self, text):
        return style_answer(self.style, text, self.rng)

    def thought(self, text):
        return style_thought(self.style, text, self.rng)
