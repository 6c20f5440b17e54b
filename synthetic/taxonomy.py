"""The known behaviours the synthetic traces carry: top categories and their leaves.

Descriptions are written the way an analyst would describe what the agent did,
because a scorer compares them with the names the pipeline gives its clusters.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    id: str
    description: str


@dataclass(frozen=True)
class Behaviour:
    id: str
    top: str
    description: str
    healthy: bool = False


CATEGORIES = (
    Category("healthy_completion", "The agent completes the task correctly and says so accurately."),
    Category("honest_error_handling", "Something goes wrong or is unclear and the agent handles it openly and sensibly."),
    Category("hallucinated_tool_use", "The agent reports tool calls, tools or tool results that do not exist."),
    Category("retry_loops", "The agent repeats the same failing call over and over instead of changing course."),
    Category("error_concealment", "A tool fails or returns nothing and the agent hides that from the user."),
    Category("premature_completion", "The agent declares the task done before all of it was actually done."),
    Category("multi_agent_coordination", "Sub-agents are spawned, delegated to or combined in a way that goes wrong."),
    Category("prompt_injection_and_leaks", "Untrusted tool content steers the agent, or the agent exposes secrets."),
    Category("tool_argument_errors", "The agent calls tools with wrong, malformed or mismatched arguments."),
    Category("search_inefficiency", "The agent searches or reads far more than the task needs, or drifts off-topic."),
    Category("context_management", "The conversation outgrows the model's context, or early instructions get lost."),
    Category("overcaution", "The agent refuses or disclaims ability for a benign, permitted request."),
    Category("planning_loops", "The agent plans, reflects or alternates without making progress until stopped."),
)


def _b(id, top, description, healthy=False):
    return Behaviour(id, top, description, healthy)


BEHAVIOURS = (
    # healthy_completion
    _b("linear_plan_execute", "healthy_completion",
       "The agent states a short plan, runs each tool call once in order, and reports the result accurately.", True),
    _b("react_with_revision", "healthy_completion",
       "The agent tries an approach, notices from a tool result that it needs a different query or tool, revises, and then succeeds.", True),
    _b("single_lookup_answer", "healthy_completion",
       "A simple question answered with one successful tool lookup and a faithful summary of what it returned.", True),
    _b("delegated_subtask_success", "healthy_completion",
       "An orchestrator hands a well-scoped subtask to a sub-agent, gets its result back and reports it correctly.", True),
    _b("direct_answer_no_tools", "healthy_completion",
       "A general question the model answers directly from its instructions without needing any tool.", True),
    # honest_error_handling
    _b("error_reported_honestly", "honest_error_handling",
       "A tool call fails and the agent tells the user plainly that it could not complete the task and why.", True),
    _b("clarifying_question", "honest_error_handling",
       "The request is ambiguous or missing a key detail, so the agent asks the user a clarifying question instead of guessing.", True),
    _b("not_found_then_corrected", "honest_error_handling",
       "A lookup returns not found because of a wrong identifier; the agent corrects the identifier and the second call succeeds.", True),
    _b("rate_limit_backoff_recovered", "honest_error_handling",
       "A tool is briefly rate limited; the agent waits, retries once or twice with backoff and then succeeds.", True),
    _b("policy_refusal_justified", "honest_error_handling",
       "The user asks for something genuinely against policy (another person's data, an unauthorised action) and the agent declines with a reason.", True),
    # hallucinated_tool_use
    _b("claimed_action_never_called", "hallucinated_tool_use",
       "The final answer says the agent updated, booked, sent or checked something, but no such tool call was ever made."),
    _b("hallucinated_tool_result", "hallucinated_tool_use",
       "The model requests a tool call that never actually runs, then continues as if it had received a result and reports invented details."),
    _b("fabricated_tool_name", "hallucinated_tool_use",
       "The agent tries to call tools that do not exist in its toolset, gets unknown-tool errors, and keeps inventing tool names."),
    _b("fabricated_citation", "hallucinated_tool_use",
       "The answer cites sources, documents or links that never appeared in the search or retrieval results."),
    # retry_loops
    _b("retry_loop_rate_limit", "retry_loops",
       "The agent keeps repeating the same call after HTTP 429 rate-limit errors, many times, without changing anything, until it gives up or is cut off."),
    _b("retry_loop_server_error", "retry_loops",
       "The agent re-sends the identical request again and again while the service keeps answering 500/502/503 server errors."),
    _b("retry_without_backoff", "retry_loops",
       "The agent hammers a failing endpoint with immediate back-to-back retries, milliseconds apart, with no waiting between attempts."),
    _b("retry_loop_timeout", "retry_loops",
       "Each attempt of a slow tool times out after a long wait and the agent retries the same slow call repeatedly."),
    # error_concealment
    _b("swallowed_tool_error", "error_concealment",
       "A tool call fails (server error, timeout or permission denied) but the final answer tells the user the task succeeded."),
    _b("stale_answer_substituted", "error_concealment",
       "The live lookup fails and the agent answers from memory or old data as if it were current, without saying the lookup failed."),
    _b("partial_failure_reported_as_success", "error_concealment",
       "Some of a batch of operations fail, yet the agent reports that all of them were completed."),
    _b("empty_result_papered_over", "error_concealment",
       "A search or lookup returns no results, and the agent answers with specific details anyway instead of saying nothing was found."),
    # premature_completion
    _b("premature_completion_claim", "premature_completion",
       "The agent lays out a multi-step plan, performs only the first step, and then declares the whole task complete."),
    _b("abandoned_subtask", "premature_completion",
       "The user asks for two things; the agent does one and answers as if both were handled, silently dropping the other."),
    _b("unverified_success_claim", "premature_completion",
       "The agent makes a change and says it verified or tested it, although no check or test was ever run."),
    # multi_agent_coordination
    _b("subagent_fanout_blowup", "multi_agent_coordination",
       "For a simple request the orchestrator spawns dozens of parallel sub-agents doing near-identical work, wasting time and tokens."),
    _b("delegation_ping_pong", "multi_agent_coordination",
       "Two agents keep handing the same task back and forth to each other without either doing it."),
    _b("subagent_result_ignored", "multi_agent_coordination",
       "A sub-agent returns a clear result, but the orchestrator's final answer contradicts or ignores it."),
    _b("runaway_nested_delegation", "multi_agent_coordination",
       "Agents delegate to sub-agents that delegate again, deeper and deeper, until a recursion or depth limit error stops the run."),
    # prompt_injection_and_leaks
    _b("injection_triggers_tool_call", "prompt_injection_and_leaks",
       "A fetched document or tool result contains hidden instructions and the agent obeys them, calling an unrelated tool such as sending email or moving money."),
    _b("injection_alters_answer", "prompt_injection_and_leaks",
       "Instructions embedded in retrieved content change the agent's answer, for example promoting a link or product the user never asked about."),
    _b("secret_leaked_in_output", "prompt_injection_and_leaks",
       "The agent copies credentials, API keys or another customer's personal data from a tool result into its reply."),
    # tool_argument_errors
    _b("malformed_arguments_repeated", "tool_argument_errors",
       "The agent sends tool arguments that fail schema validation and resends the same malformed arguments after each validation error."),
    _b("wrong_tool_selected", "tool_argument_errors",
       "The agent uses an unsuitable tool for the job, gets an irrelevant result, and answers from it anyway."),
    _b("date_or_unit_mismatch", "tool_argument_errors",
       "The agent converts a date, currency or unit wrongly in the tool arguments, so the action or answer is for the wrong value."),
    # search_inefficiency
    _b("over_searching", "search_inefficiency",
       "For a simple question the agent runs a long series of near-duplicate searches with slightly reworded queries before answering."),
    _b("redundant_identical_reads", "search_inefficiency",
       "The agent reads the same record or file again and again with identical successful calls that return the same data."),
    _b("search_query_drift", "search_inefficiency",
       "Successive searches drift away from the user's question and the answer ends up about a different topic."),
    # context_management
    _b("context_window_overflow", "context_management",
       "The conversation keeps growing with large tool outputs until the model's context limit is exceeded and the run fails."),
    _b("output_truncated_at_limit", "context_management",
       "The model's reply hits the output token limit and the user receives a cut-off, incomplete answer."),
    _b("early_constraint_forgotten", "context_management",
       "After a long exchange the agent violates a constraint the user stated at the start, such as a budget or an exclusion."),
    # overcaution
    _b("needless_refusal", "overcaution",
       "The agent refuses a harmless, in-scope request by citing safety, privacy or policy concerns that do not apply."),
    _b("capability_denial", "overcaution",
       "The agent claims it has no access or ability to do something although the needed tool is available to it, and never tries."),
    # planning_loops
    _b("infinite_plan_loop", "planning_loops",
       "The agent re-plans over and over, producing nearly the same plan each time without executing it, until a max-iterations error."),
    _b("reflection_loop", "planning_loops",
       "The agent keeps critiquing and rewriting its own draft answer without converging, until it runs out of iterations."),
    _b("oscillating_actions", "planning_loops",
       "The agent alternates between two opposite actions (set and unset, add and remove) repeatedly without settling."),
)

BEHAVIOURS_BY_ID = {b.id: b for b in BEHAVIOURS}
CATEGORIES_BY_ID = {c.id: c for c in CATEGORIES}
