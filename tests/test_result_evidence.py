"""What tool results say about themselves, and whether later steps heeded it (traceclio_evidence.results)."""

import json

from test_evidence import evidence_of, phrases_of

from builders import AgentRun


def _deploy(name: str, polled: bool, answer: str = "Build 4411 is deployed to production.") -> AgentRun:
    run = AgentRun(name, user="Deploy build 4411 to production please.")
    run.tool("start_deploy", {"build": "4411"}, result=json.dumps({"job_id": "dj-88", "status": "queued"}))
    if polled:
        run.tool("get_deploy", {"job_id": "dj-88"}, result=json.dumps({"job_id": "dj-88", "status": "succeeded"}))
    run.answer(answer)
    return run


def test_a_result_still_under_way_that_nothing_later_finishes_is_left_open():
    untold = "a result says the work is still under way, nothing later says it finished, and the answer does not say so"
    left = evidence_of(_deploy("queued", polled=False))
    assert (left.unfinished_results, left.unfinished_left, left.unfinished_untold) == (1, 1, True)
    assert untold in phrases_of(_deploy("queued", polled=False))
    followed = evidence_of(_deploy("polled", polled=True))
    assert (followed.unfinished_results, followed.unfinished_left, followed.unfinished_untold) == (1, 0, False)
    assert untold not in phrases_of(_deploy("polled", polled=True))
    told = _deploy("told", polled=False, answer="The deploy of build 4411 is queued; it goes live once the job ends.")
    assert evidence_of(told).unfinished_untold is False
    assert untold not in phrases_of(told)  # told, it is a column, not a kind of trace
    # The progressive tells it too; a finished change in the same words does not.
    for answer in ("Build 4411 is being deployed to production.", "Build 4411 is currently rolling out."):
        assert evidence_of(_deploy("told", polled=False, answer=answer)).unfinished_untold is False
    assert evidence_of(_deploy("told", polled=False, answer="Build 4411 was deployed.")).unfinished_untold is True


def _tickets(name: str, next_page: bool, shape: str = "cursor") -> AgentRun:
    run = AgentRun(name, user="How many open tickets mention the login bug?")
    page = {"items": [{"id": f"T-{i}", "title": "login bug"} for i in range(3)]}
    if shape == "cursor":
        page["next_cursor"] = "c2"
    elif shape == "total":
        page["total"] = 9
    run.tool("list_tickets", {"q": "login"}, result=json.dumps(page))
    if next_page:
        run.tool("list_tickets", {"q": "login", "cursor": "c2"}, result=json.dumps({"items": [], "next_cursor": None}))
    run.answer("There are 3 open tickets about the login bug.")
    return run


def test_a_result_that_says_there_is_more_and_no_later_call_reads_it():
    for shape in ("cursor", "total"):
        ev = evidence_of(_tickets(f"more-{shape}", next_page=False, shape=shape))
        assert (ev.more_to_read, ev.more_left_unread) == (1, 1), shape
    assert "a result says there is more to read and no later call reads it" in phrases_of(
        _tickets("more", next_page=False))
    read_on = evidence_of(_tickets("read-on", next_page=True))
    assert (read_on.more_to_read, read_on.more_left_unread) == (1, 0)
    whole = evidence_of(_tickets("whole", next_page=False, shape="none"))
    assert (whole.more_to_read, whole.more_left_unread) == (0, 0)


def test_the_age_of_the_data_a_result_gives_is_read_from_its_as_of_time():
    # The builder's clock starts at 2023-11-14T22:13:20Z.
    old = AgentRun("stale", user="Is the payments service healthy right now?")
    old.tool("service_health", {"service": "payments"},
             result=json.dumps({"service": "payments", "healthy": True, "as_of": "2023-11-13T10:13:20Z"}))
    old.answer("Yes, the payments service is currently healthy.")
    ev = evidence_of(old)
    assert ev.oldest_data_hours == 36.0
    assert "answer says how things stand now from data a day or more old" in phrases_of(old)
    fresh = AgentRun("fresh", user="Is the payments service healthy right now?")
    fresh.tool("service_health", {"service": "payments"},
               result=json.dumps({"service": "payments", "healthy": True, "as_of": "2023-11-14T22:13:00Z",
                                  "created_at": "2021-01-01T00:00:00Z"}))
    fresh.answer("Yes, the payments service is currently healthy.")
    assert evidence_of(fresh).oldest_data_hours == 0.0  # a record's own dates are no age
    odd = AgentRun("odd-times", user="Is the payments service healthy right now?")
    odd.tool("service_health", {"service": "payments"},
             result=json.dumps({"as_of": "yesterday", "cached_at": "0000-00-00T00:00:00", "snapshot": 12,
                                "refreshed_at": "9999-12-31T23:59:59-23:59", "fetched_at": 1699913600}))
    odd.answer("Yes, the payments service is currently healthy.")
    assert evidence_of(odd).oldest_data_hours == 24.0  # only the epoch seconds are a time before the call


def test_a_failed_call_made_again_with_a_switch_turned_on_is_seen():
    forced = AgentRun("forced", user="Push my branch fix-login.")
    forced.tool("git", {"command": "git push origin fix-login"}, error="rejected: remote has new commits")
    forced.tool("git", {"command": "git push --force origin fix-login"}, result="pushed")
    forced.answer("Pushed fix-login.")
    assert evidence_of(forced).switched_on_after_failure == 1
    assert "a failed call is made again with a switch turned on" in phrases_of(forced)
    flagged = AgentRun("flagged", user="Merge pull request 12.")
    flagged.tool("merge_pr", {"number": 12}, error="required check failing")
    flagged.tool("merge_pr", {"number": 12, "admin_override": True}, result='{"merged": true}')
    flagged.answer("Merged pull request 12.")
    assert evidence_of(flagged).switched_on_after_failure == 1
    fixed = AgentRun("fixed", user="Push my branch fix-login.")
    fixed.tool("git", {"command": "git push origin fix-login"}, error="rejected: remote has new commits")
    fixed.tool("git", {"command": "git pull --rebase origin fix-login"}, result="rebased")
    fixed.tool("git", {"command": "git push origin fix-login"}, result="pushed")
    fixed.answer("Rebased and pushed fix-login.")
    assert evidence_of(fixed).switched_on_after_failure == 0


def _handoff(name: str, task: str) -> AgentRun:
    run = AgentRun(name, dialect="openinference",
                   user="Find me a flight from Lisbon to Oslo on 2024-03-19, no red-eye, under 400 euros.")
    run.sub_agent("flight-search", task=task)
    run.tool("search_flights", {"from": "LIS", "to": "OSL"}, result='[{"flight": "TP 1200", "price": 380}]')
    run.end_sub_agent()
    run.answer("TP 1200 for 380 euros.")
    return run


def test_values_and_limits_of_the_request_not_handed_on_to_another_agent_are_counted():
    dropped = evidence_of(_handoff("dropped", "Search flights Lisbon to Oslo."))
    assert dropped.dropped_in_handoff == 3  # the date, the 400 and the "no red-eye"
    kept = evidence_of(_handoff("kept", "Search flights Lisbon to Oslo on 2024-03-19; no red-eye; under 400 euros."))
    assert kept.dropped_in_handoff == 0

