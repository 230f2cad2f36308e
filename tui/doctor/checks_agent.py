"""Is the agent there to answer: running, not in error, not waiting for setup."""

from __future__ import annotations

from ..wiro.models import status_name
from .evidence import Evidence
from .findings import Finding
from .logcontext import failures_between, line, timed

START_FIX = ("Start it: Overview → s, or `wiro-voice start`. If Wiro refuses, it says why (an expired subscription "
             "or no credits: renew in the Wiro panel).")


def check_agent(ev: Evidence) -> list[Finding]:
    """The agent's status: anything but Running (4) means calls do not reach it now."""
    if ev.agent is None:
        return [Finding("agent.unreadable", "error", "Could not read the agent",
                        ev.agent_error or "Wiro did not answer.",
                        "Check the API key and API base (Connection screen, n, or WIRO_API_KEY/WIRO_API_BASE), or "
                        "pick another agent.")]
    agent = ev.agent
    name = agent.title
    if agent.needs_setup:
        return [_setup_required(agent)]
    status = agent.status
    if status == 4:
        return [_restarting(name, status)] if agent.restarting else []
    if status == 0:
        return [Finding("agent.stopped", "error", "The agent is stopped: calls to your numbers are not answered",
                        f"{name} is Stopped (status 0). Twilio still sends each call to Wiro, but no agent picks it "
                        "up, so callers never reach it.", START_FIX)]
    if status == 5:
        return [Finding("agent.error", "error", "The agent is in the Error state: calls are not answered",
                        f"{name} stopped because of an error (status 5).{_last_failure(ev)}",
                        "Start it again (Overview → s, or `wiro-voice start`); if it falls back to Error, the activity "
                        "log (Logs screen, l, or `wiro-voice logs`) says what failed.")]
    if status in (1, 2, 3) and agent.restarting:
        return [_restarting(name, status)]
    if status in (1, 2, 3):
        state = {1: "stopping", 2: "queued to start", 3: "starting"}[status]
        fix = (START_FIX.replace("Start it:", "When it shows Stopped, start it again:") if status == 1
               else "Wait until it shows Running (a few seconds), then place a test call.")
        return [Finding(f"agent.{'stopping' if status == 1 else 'starting'}", "warning",
                        f"The agent is {state}: calls are not answered until it runs",
                        f"{name} is {agent.status_name} (status {status}); it answers calls only when Running (4).",
                        fix)]
    return [Finding("agent.status_unknown", "warning", "Wiro reports a status this version does not know",
                    f"{name} has status {status!r}; only Running (4) answers calls.",
                    "Check the agent in the Wiro panel; update wiro-voice if it is old.")]


def _setup_required(agent) -> Finding:
    """Setup required, said by what Wiro's cards report (`_required_missing`), not guessed."""
    name = agent.title
    missing = agent.credentials_missing
    cred = agent.credential
    twilio_done = cred is not None and cred.required_missing is False and "twilio-voice" not in missing
    others = [k for k in missing if k != "twilio-voice"]
    save_how = "the Credentials screen (e, then Ctrl+S) or `wiro-voice save FILE`"
    if others:
        detail = (f"Wiro marks {name} as Setup required: the {', '.join(others)} credential"
                  f"{'s are' if len(others) > 1 else ' is'} incomplete (voice calls also need the `wiro` API key "
                  "when the template uses Wiro's AI models), so it cannot run and no call reaches it.")
        fix = (f"Fill in {', '.join(others)} in the Wiro panel (My Agents → the agent → Credentials), then save the "
               f"Twilio credential once more ({save_how}): the save asks Wiro to re-check setup. Then start it.")
    elif twilio_done:
        detail = (f"Wiro marks {name} as Setup required although every credential card says it is complete: "
                  "saving credentials never leaves setup by itself; Wiro re-checks only when asked (Update).")
        fix = (f"Save the credential once more ({save_how}): wiro-voice then asks Wiro to re-check setup (Update), "
               "which moves the agent to Stopped. Then start it (Overview → s, or `wiro-voice start`).")
    else:
        lacking = [what for what, missing in (
            ("the Account SID", cred is None or not (cred.accountsid or "").strip()),
            ("the Auth Token", cred is None or not cred.authtoken_set),
            ("a phone number", cred is None or not cred.phonenumbers)) if missing]
        said = " and ".join(lacking) if lacking else "a required field (Wiro's card says so)"
        detail = f"Wiro marks {name} as Setup required: its Twilio credential lacks {said}, so it cannot run and no " \
                 "call reaches it."
        fix = (f"Fill in the Twilio credential ({save_how}) and save: the save also asks Wiro to re-check setup. "
               "Then start the agent (Overview → s, or `wiro-voice start`).")
    return Finding("agent.setup_required", "error", "Setup is not complete: the agent cannot start", detail, fix)


def _restarting(name: str, status: int | None) -> Finding:
    return Finding("agent.restarting", "warning", "The agent is restarting after a configuration change",
                   f"{name} is {status_name(status)} on its way to a restart: Wiro restarts a running agent whenever "
                   "its configuration is saved, and calls arriving meanwhile are not answered or are cut off.",
                   "Wait a minute and run the doctor again; avoid saving the credential while calls are live.")


def _last_failure(ev: Evidence) -> str:
    events = timed(ev.logs)
    found = failures_between(events, float("-inf"), float("inf"))
    if found:
        return f" The last failure in today's activity log: {line(found[-1], ev.taken_at)}."
    return ""
