"""One readiness rule for every screen's empty state: no key / connecting / no agent / ready."""

from tui.ui.readiness import readiness_of

KEYS = {"overview": "o", "connection": "n"}.get


def test_the_demo_starting_comes_before_everything():
    r = readiness_of(has_client=False, demo_starting=True, agent_guid=None, key=KEYS)
    assert (r.state, r.ready) == ("connecting", False) and "demo" in r.text


def test_no_client_says_which_key_opens_connection():
    r = readiness_of(has_client=False, demo_starting=False, agent_guid="g", key=KEYS)
    assert r.state == "no-key"
    assert "no Wiro API key" in r.text and "[b]n[/b]" in r.text


def test_a_remapped_key_is_the_one_named():
    remapped = {"overview": "f5", "connection": "ctrl+k"}.get
    assert "[b]ctrl+k[/b]" in readiness_of(has_client=False, demo_starting=False, agent_guid=None, key=remapped).text
    r = readiness_of(has_client=True, demo_starting=False, agent_guid=None, key=remapped)
    assert r.state == "no-agent" and "[b]f5[/b]" in r.text


def test_no_agent_unless_the_screen_does_not_need_one():
    r = readiness_of(has_client=True, demo_starting=False, agent_guid=None, key=KEYS)
    assert r.state == "no-agent" and "pick one on the Overview ([b]o[/b], then [b]a[/b])" in r.text
    r = readiness_of(has_client=True, demo_starting=False, agent_guid=None, key=KEYS, needs_agent=False)
    assert r.ready and r.text == ""


def test_ready_with_a_client_and_an_agent():
    r = readiness_of(has_client=True, demo_starting=False, agent_guid="g", key=KEYS)
    assert r.ready and r.state == "ready" and r.text == ""


def test_without_a_key_to_name_the_text_still_says_where_to_go():
    r = readiness_of(has_client=False, demo_starting=False, agent_guid=None)
    assert "Open Connection" in r.text and "[b][/b]" not in r.text
