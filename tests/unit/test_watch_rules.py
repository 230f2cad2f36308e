"""The alert rules over hand-built polls: what holds, what stays undecided, and the doctor's words in them."""

from tui.calls.catalog import ENDED, REJECTED
from tui.twilio.classify import NumberVerdict
from tui.twilio.verify import AccountCheck, NumbersCheck
from tui.watch.fleet import AgentPoll, summarize, worst_finding
from tui.watch.rules import (
    ApiHealth,
    FleetPoll,
    agent_not_running,
    credits_low,
    judge,
    number_not_routed,
    rejections,
    remember,
    unreachable,
)
from tui.watch.settings import AlertSettings
from tui.watch.state import WatchState
from tui.wiro.models import Agent, CallSession, TwilioVoiceCredential

NOW = 1_777_000_000.0
NUMBER = "+14155550142"


def agent(status=4, credits=None, numbers=(NUMBER,)):
    raw = {"guid": "g1", "title": "Front desk", "status": status}
    if credits is not None:
        raw["remainingcredits"] = credits
    cred = TwilioVoiceCredential(accountsid="AC" + "0" * 32, authtoken_set=True, phonenumbers=tuple(numbers))
    return Agent("g1", "Front desk", status=status, setuprequired=status == 6, credential=cred, raw=raw)


def poll(status=4, **kw):
    return AgentPoll("g1", "Front desk", NOW, agent=kw.pop("agent", None) or agent(status, kw.pop("credits", None)),
                     **kw)


def fleet(*polls, listed=True, apis=None):
    return FleetPoll(NOW, tuple(polls), listed=listed, apis=apis or {})


def verdict(kind):
    return NumberVerdict(NUMBER, kind, "on a TwiML App" if kind != "wiro_ok" else "routed to Wiro",
                         "Calls go to the app.", "Flip it back.")


def test_agent_not_running_only_for_agents_seen_running_with_the_doctors_words():
    state = WatchState()
    settings = AlertSettings()
    stopped = fleet(poll(0))
    assert agent_not_running(stopped, settings, state).alerts == ()  # never seen Running: the doctor's business
    remember(fleet(poll(4)), state)
    assert state.seen_running == {"g1"}
    found = agent_not_running(stopped, settings, state).alerts
    assert [a.key for a in found] == ["agent.not_running:g1"]
    assert "stopped" in found[0].title and "calls to your numbers are not answered" in found[0].title
    assert found[0].fix.startswith("Start it") and found[0].severity == "critical"
    for status in (5, 6):
        assert agent_not_running(fleet(poll(status)), settings, state).alerts
    for status in (1, 2, 3, 4):  # on the way somewhere, or fine
        assert not agent_not_running(fleet(poll(status)), settings, state).alerts
    unread = fleet(AgentPoll("g1", "Front desk", NOW, detail_error="500"))
    assert agent_not_running(unread, settings, state).undecided == ("agent.not_running:g1",)
    assert agent_not_running(fleet(listed=False), settings, state).undecided == ("agent.not_running:",)
    off = agent_not_running(stopped, AlertSettings(agent_not_running=False), state)
    assert off.alerts == () and off.undecided == ()


def test_number_not_routed_needs_a_twilio_check_and_a_number_that_rang_before():
    state = WatchState()
    settings = AlertSettings()
    good = NumbersCheck(AccountCheck("valid", "ok"), (verdict("wiro_ok"),))
    bad = NumbersCheck(AccountCheck("valid", "ok"), (verdict("twiml_app"),))
    assert number_not_routed(fleet(poll(numbers=bad)), settings, state).alerts == ()  # never seen routed
    remember(fleet(poll(numbers=good)), state)
    assert state.routed == {"g1": {NUMBER}}
    found = number_not_routed(fleet(poll(numbers=bad)), settings, state).alerts
    assert [a.key for a in found] == [f"number.not_routed:g1:{NUMBER}"]
    assert "it rang the agent before" in found[0].title and found[0].fix
    no_check = number_not_routed(fleet(poll()), settings, state)
    assert no_check.alerts == () and no_check.undecided == ("number.not_routed:g1:",)
    failed = NumbersCheck(AccountCheck("unreachable", "down"), error="down")
    assert number_not_routed(fleet(poll(numbers=failed)), settings, state).undecided
    # a number taken out of the credential is forgotten
    remember(fleet(poll(numbers=NumbersCheck(AccountCheck("valid", "ok"), ()))), state)
    assert state.routed["g1"] == set()


def rejected(n, ago):
    return [CallSession(f"r{ago}-{i}", status=REJECTED, started_at_ms=int((NOW - ago) * 1000)) for i in range(n)]


def test_rejections_above_n_within_the_window():
    settings = AlertSettings(rejections=5, rejections_window=900)
    state = WatchState()
    five = rejected(5, 60) + rejected(3, 1000) + [CallSession("e", status=ENDED, started_at_ms=int(NOW * 1000))]
    assert rejections(fleet(poll(sessions=tuple(five))), settings, state).alerts == ()
    six = tuple(five + rejected(1, 10))
    found = rejections(fleet(poll(sessions=six)), settings, state).alerts
    assert [a.key for a in found] == ["rejections.burst:g1"] and "6 calls rejected in 15 min" in found[0].title
    assert rejections(fleet(poll()), settings, state).undecided == ("rejections.burst:g1",)
    assert rejections(fleet(poll(sessions=six)), settings.with_(rejections=0), state).alerts == ()


def test_unreachable_after_k_failed_polls():
    settings = AlertSettings(unreachable_polls=3)
    state = WatchState()
    two = fleet(apis={"wiro": ApiHealth("wiro", False, 2, "503"), "twilio": ApiHealth("twilio", True)})
    assert unreachable(two, settings, state).alerts == ()
    three = fleet(apis={"wiro": ApiHealth("wiro", False, 3, "Wiro had a server error (503)")})
    found = unreachable(three, settings, state).alerts
    assert [a.key for a in found] == ["api.unreachable:wiro"]
    assert "Wiro unreachable for 3 polls in a row" == found[0].title and "503" in found[0].detail


def test_credits_low_from_detail():
    settings = AlertSettings(credits_below=50)
    state = WatchState()
    assert credits_low(fleet(poll(credits=120)), settings, state).alerts == ()
    low = credits_low(fleet(poll(credits=12)), settings, state).alerts
    assert [(a.key, a.severity) for a in low] == [("credits.low:g1", "warning")]
    assert "only 12 credits left" in low[0].title
    none = credits_low(fleet(poll(credits=0)), settings, state).alerts
    assert none[0].severity == "critical" and "no credits left" in none[0].title
    # the list row carries no remainingcredits (Detail failed): undecided, not "fine"
    listed_only = AgentPoll("g1", "Front desk", NOW, agent=agent(4, 3), detail_error="timeout")
    assert credits_low(fleet(listed_only), settings, state).undecided == ("credits.low:g1",)


def test_judge_collects_every_rule():
    state = WatchState()
    state.saw_running("g1")
    out = judge(fleet(poll(0, credits=1), apis={"wiro": ApiHealth("wiro", False, 9, "x")}), AlertSettings(), state)
    assert {a.rule for a in out.alerts} == {"agent_not_running", "credits_low", "unreachable"}
    blind = judge(fleet(listed=False), AlertSettings(), state)
    assert set(blind.undecided) >= {"agent.not_running:", "number.not_routed:", "rejections.burst:", "credits.low:"}


def test_summary_and_the_doctors_worst_finding():
    sessions = tuple(rejected(2, 60)) + (CallSession("a", status="realtime_session_active",
                                                     started_at_ms=int((NOW - 30) * 1000)),)
    check = NumbersCheck(AccountCheck("valid", "ok"), (verdict("twiml_app"),))
    view = summarize(poll(4, credits=77, sessions=sessions, numbers=check), NOW)
    assert (view.calls_active, view.calls_last_hour, view.rejections_last_hour) == (1, 3, 2)
    assert view.remaining_credits == 77 and view.last_call_at == NOW - 30
    assert view.webhook_source == "twilio" and dict(view.webhooks) == {"twiml_app": 1} and view.webhooks_ok is False
    assert view.to_json()["status_name"] == "Running"
    worst = worst_finding(poll(4, sessions=sessions, numbers=check), NOW)
    assert worst is not None and worst.severity == "error" and NUMBER in worst.title
    stopped = worst_finding(poll(0, sessions=()), NOW)
    assert stopped is not None and stopped.id == "agent.stopped"
    unknown = summarize(AgentPoll("g1", "Front desk", NOW, agent=agent(4), detail_error="x"), NOW)
    assert unknown.calls_active is None and unknown.remaining_credits is None and unknown.webhooks_ok is None
