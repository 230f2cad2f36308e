"""`wiro-voice save` against documented answers: the first-time setup (upsert, then Update, then Start), the
webhook outcomes, refused and partial saves, hold files through CredentialFileUpload, and the token rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui.credential import probes

from ..unit.credential_audio import write_wav
from . import payloads as p


@pytest.fixture(autouse=True)
def _fresh_probes():
    probes.clear_probe_cache()


def credential_file(tmp_path: Path, **fields) -> Path:
    data = {"accountsid": p.SID, "authtoken": p.TOKEN, "phonenumbers": list(p.NUMBERS), "maxcallseconds": 900,
            "holdstrategy": "text", "holdtext": "Please hold, connecting you now.", "holdvoice": "Polly.Joanna-Neural"}
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not p.ABSENT}
    path = tmp_path / "cred.json"
    path.write_text(json.dumps(data))
    return path


def upsert_rows(server) -> list[dict]:
    (request,) = server.to("UserAgent/CredentialUpsert")
    assert request.json["useragentguid"] == p.GUID
    return request.json["fields"]


def names(rows: list[dict]) -> list[str]:
    return [r.get("parentfield") or r["fieldname"] for r in rows]


# -- first-time setup: saved, Updated, then it starts -------------------------------------------------------


def test_a_status_6_agent_is_saved_updated_and_then_starts(server, cli, tmp_path):
    server.reply("UserAgent/Detail", p.detail_setup_required(),
                 then=[p.detail_setup_required(authtoken=""), p.detail_newest(status=0)])
    server.reply("UserAgent/CredentialUpsert", p.upsert_updated())
    server.reply("UserAgent/Update", p.update_left_setup())
    ran = cli("save", str(credential_file(tmp_path)), "--json")
    assert ran.code == 0, ran.out + ran.err
    doc = ran.json
    assert doc["saved"] is True and doc["complete"] is True and doc["applied"] == 8 and doc["errors"] == []
    assert doc["status"] == {"before": 6, "after": 0, "updated": True}
    assert doc["webhooks"] == {"updated": p.NUMBERS, "skipped": [], "failed": [], "error": None}
    # read, save, read again (still 6: the upsert never leaves setup), Update — in that order
    assert server.endpoints() == ["UserAgent/Detail", "UserAgent/CredentialUpsert", "UserAgent/Detail",
                                  "UserAgent/Update"]
    assert server.to("UserAgent/Update")[0].json == {"guid": p.GUID}
    rows = upsert_rows(server)
    assert {"credentialkey": "twilio-voice", "fieldname": "authtoken", "fieldvalue": p.TOKEN} in rows
    assert [r["fieldvalue"] for r in rows if r.get("parentfield") == "phonenumbers"] == p.NUMBERS
    assert p.TOKEN not in ran.out + ran.err

    server.reply("UserAgent/Start", p.START_OK)
    started = cli("start")
    assert started.code == 0 and "Start requested" in started.out
    assert server.to("UserAgent/Start")[0].json == {"guid": p.GUID}


def test_the_text_report_says_the_agent_left_setup(server, cli, tmp_path):
    server.reply("UserAgent/Detail", p.detail_setup_required(), then=[p.detail_setup_required()])
    server.reply("UserAgent/CredentialUpsert", p.upsert_updated())
    server.reply("UserAgent/Update", p.update_left_setup())
    ran = cli("save", str(credential_file(tmp_path)))
    assert ran.code == 0
    assert "Status: Setup required → Stopped (Wiro re-checked setup)" in ran.out and "wiro-voice start" in ran.out


def test_setup_still_required_after_update_exits_1_and_says_which_card(server, cli, tmp_path):
    still = p.detail_newest(status=6, setuprequired=True)
    still["useragents"][0]["credentials"]["wiro"]["_required_missing"] = True
    server.reply("UserAgent/Detail", p.detail_setup_required(), then=[still])
    server.reply("UserAgent/CredentialUpsert", p.upsert_updated())
    server.reply("UserAgent/Update", p.update_still_setup())
    ran = cli("save", str(credential_file(tmp_path)), "--json")
    assert ran.code == 1 and ran.json["saved"] is True and ran.json["status"]["after"] == 6
    assert any("wiro credential" in w["message"] for w in ran.json["warnings"])


def test_a_running_agent_is_never_updated(server, cli, tmp_path):
    server.reply("UserAgent/Detail", p.detail_newest(status=4), then=[p.detail_restarting()])
    server.reply("UserAgent/CredentialUpsert", p.upsert_updated())
    ran = cli("save", str(credential_file(tmp_path)), "--json")
    assert ran.code == 0 and ran.json["status"] == {"before": 4, "after": 1, "updated": False}
    assert "UserAgent/Update" not in server.endpoints()


# -- the token: never asked again when Wiro has one ------------------------------------------------------------


@pytest.mark.parametrize("shown", [p.MASK, "", p.ABSENT], ids=["mask", "empty", "absent"])
def test_a_file_without_a_token_keeps_wiros_token(server, cli, tmp_path, shown):
    server.reply("UserAgent/Detail", p.detail_newest(credential=p.twilio_credential(authtoken=shown)))
    server.reply("UserAgent/CredentialUpsert", p.upsert_updated())
    ran = cli("save", str(credential_file(tmp_path, authtoken=p.ABSENT)), "--json")
    assert ran.code == 0, ran.out
    assert "authtoken" not in names(upsert_rows(server))


def test_a_file_without_a_token_for_a_fresh_agent_is_refused_before_sending(server, cli, tmp_path):
    server.reply("UserAgent/Detail", p.detail_setup_required())
    ran = cli("save", str(credential_file(tmp_path, authtoken=p.ABSENT)), "--json")
    assert ran.code == 2 and ran.json["saved"] is False
    assert ran.json["errors"][0]["field"] == "authtoken"
    assert server.endpoints() == ["UserAgent/Detail"]


def test_help_says_the_token_is_kept(env, capsys):
    from tui.cli import main

    with pytest.raises(SystemExit):
        main(["save", "--help"])
    assert "keeps the token" in " ".join(capsys.readouterr().out.split())


# -- webhook outcomes and refusals --------------------------------------------------------------------------------


def test_a_skipped_webhook_step_exits_1_with_the_reason(server, cli, tmp_path):
    server.reply("UserAgent/Detail", p.detail_newest())
    server.reply("UserAgent/CredentialUpsert", p.upsert_skipped())
    ran = cli("save", str(credential_file(tmp_path)))
    assert ran.code == 1
    assert f"skipped  every number: {p.NO_MATCH}" in ran.out and "not on the Twilio account" in ran.out
    again = cli("save", str(credential_file(tmp_path)), "--json")
    assert again.code == 1 and again.json["webhooks"]["skipped"] == [{"reason": p.NO_MATCH}]
    assert again.json["webhooks"]["updated"] == []


def test_a_number_wiro_did_not_mention_is_not_called_configured(server, cli, tmp_path):
    server.reply("UserAgent/Detail", p.detail_newest())
    server.reply("UserAgent/CredentialUpsert", p.upsert_updated([p.NUMBERS[0]]))
    ran = cli("save", str(credential_file(tmp_path)), "--json")
    assert ran.code == 1 and ran.json["saved"] is True and ran.json["webhooks"]["updated"] == [p.NUMBERS[0]]
    text = cli("save", str(credential_file(tmp_path)))
    assert f"{p.NUMBERS[1]}: Wiro did not say what it did with this number" in text.out


def test_failed_numbers_and_older_shapes(server, cli, tmp_path):
    server.reply("UserAgent/Detail", p.detail_newest())
    server.reply("UserAgent/CredentialUpsert", p.upsert_failed())
    ran = cli("save", str(credential_file(tmp_path)), "--json")
    assert ran.code == 1
    assert ran.json["webhooks"]["failed"] == [{"number": p.NUMBERS[1], "error": "Twilio error 21452: number not owned"}]
    server.reply("UserAgent/CredentialUpsert", p.upsert_older_skipped_numbers())
    older = cli("save", str(credential_file(tmp_path)), "--json")
    assert older.code == 1 and older.json["webhooks"]["skipped"] == [{"number": p.NUMBERS[1], "reason": None}]


def test_a_webhook_error_is_saved_with_problems(server, cli, tmp_path):
    server.reply("UserAgent/Detail", p.detail_newest())
    server.reply("UserAgent/CredentialUpsert", p.upsert_webhook_error())
    ran = cli("save", str(credential_file(tmp_path)))
    assert ran.code == 1 and "could not configure any number this round: Twilio authentication failed" in ran.out


def test_a_partial_save_exits_1_with_the_row_errors(server, cli, tmp_path):
    server.reply("UserAgent/Detail", p.detail_newest())
    server.reply("UserAgent/CredentialUpsert", p.upsert_partial())
    ran = cli("save", str(credential_file(tmp_path)), "--json")
    assert ran.code == 1 and ran.json["saved"] is True and ran.json["complete"] is False and ran.json["applied"] == 6
    (row,) = [e for e in ran.json["errors"] if e.get("kind") == "row"]
    assert row["field"] == "maxcallseconds" and "could not be stored" in row["message"]
    text = cli("save", str(credential_file(tmp_path)))
    assert text.code == 1 and "maxcallseconds: refused by Wiro: row 3 failed" in text.out
    assert "Saved in part: Wiro applied 6 rows but refused 1 (maxcallseconds)" in text.out


@pytest.mark.parametrize("answer", [p.upsert_older_partial(), p.upsert_older_skipped_rows()], ids=["true", "false"])
def test_an_older_partial_write_exits_1(server, cli, tmp_path, answer):
    server.reply("UserAgent/Detail", p.detail_older())
    server.reply("UserAgent/CredentialUpsert", answer)
    ran = cli("save", str(credential_file(tmp_path)), "--json")
    assert ran.code == 1 and ran.json["saved"] is True
    assert [e["field"] for e in ran.json["errors"] if e.get("kind") == "row"] == ["maxcallseconds"]


def test_a_rejected_save_exits_2_with_the_row_beside_its_field(server, cli, tmp_path):
    server.reply("UserAgent/Detail", p.detail_newest())
    server.reply("UserAgent/CredentialUpsert", p.upsert_rejected())
    ran = cli("save", str(credential_file(tmp_path)), "--json")
    assert ran.code == 2 and ran.json["saved"] is False and ran.json["applied"] is None
    assert [(e["field"], e["message"]) for e in ran.json["errors"]] == [("accountsid", "Account SID is managed by Wiro")]
    assert "UserAgent/Update" not in server.endpoints()


def stored_report(tmp_path: Path):
    from tui.webhooks.store import load_report, report_path, reports_dir

    return load_report(report_path(reports_dir(tmp_path / "config.toml"), p.GUID)).report


def test_a_partial_save_keeps_the_webhook_report_of_its_numbers(server, cli, tmp_path):
    server.reply("UserAgent/Detail", p.detail_newest())
    server.reply("UserAgent/CredentialUpsert", p.upsert_partial())
    assert cli("save", str(credential_file(tmp_path))).code == 1
    report = stored_report(tmp_path)
    assert report is not None and report.agent_guid == p.GUID and report.error is None
    assert [(n.number, n.state) for n in report.numbers] == [(n, "updated") for n in p.NUMBERS]


def test_a_rejected_save_leaves_the_last_webhook_report_as_it_was(server, cli, tmp_path):
    server.reply("UserAgent/Detail", p.detail_newest())
    server.reply("UserAgent/CredentialUpsert", p.upsert_failed())
    assert cli("save", str(credential_file(tmp_path))).code == 1
    before = stored_report(tmp_path)
    assert before.state_of(p.NUMBERS[1]).state == "failed"
    server.reply("UserAgent/CredentialUpsert", p.upsert_rejected())
    assert cli("save", str(credential_file(tmp_path))).code == 2
    assert stored_report(tmp_path) == before  # Wiro changed nothing: its last webhook answer still stands


@pytest.mark.parametrize("answer, status, words", [
    (p.ACCESS_DENIED_403, 403, "not the agent's owner"),
    (p.AGENT_GONE, 200, "deleted"),
    (p.AUTH_AT_200, 200, "Wiro refused the API key: Project authorization is not valid"),
])
def test_a_refused_read_saves_nothing_and_exits_2(server, cli, tmp_path, answer, status, words):
    server.reply("UserAgent/Detail", answer, status=status)
    ran = cli("save", str(credential_file(tmp_path)))
    assert ran.code == 2 and "UserAgent/CredentialUpsert" not in server.endpoints()
    assert words.split(":")[-1].strip() in ran.out + ran.err


# -- hold files: CredentialFileUpload, and never a read-back URL -----------------------------------------------------


def test_hold_files_arrive_through_credential_file_upload(server, cli, tmp_path):
    write_wav(tmp_path / "greeting.wav", 8)
    write_wav(tmp_path / "loop.mp3", 40)  # WAV content behind an .mp3 name: sent as what it is
    server.reply("UserAgent/Detail", p.detail_newest())
    server.reply("UserAgent/CredentialFileUpload", p.file_upload_ok("holdaudio"), then=[p.file_upload_ok("holdmusic")])
    server.reply("UserAgent/CredentialUpsert", p.upsert_updated())
    ran = cli("save", str(credential_file(tmp_path, holdstrategy="audio_then_music", holdaudio="greeting.wav",
                                          holdmusic="loop.mp3")), "--json")
    assert ran.code == 0, ran.out + ran.err
    assert ran.json["files"] == ["holdaudio", "holdmusic"]
    uploads = server.to("UserAgent/CredentialFileUpload")
    assert [(u.parts["fieldname"].text, u.parts["credentialkey"].text, u.parts["useragentguid"].text,
             u.parts["file"].filename) for u in uploads] == [
        ("holdaudio", "twilio-voice", p.GUID, "greeting.wav"), ("holdmusic", "twilio-voice", p.GUID, "loop.wav")]
    assert uploads[0].parts["file"].value == (tmp_path / "greeting.wav").read_bytes()
    assert "File/Upload" not in server.endpoints()
    rows = upsert_rows(server)
    assert "holdaudio" not in names(rows) and "holdmusic" not in names(rows)  # written by the upload itself
    assert ("holdstrategy", "audio_then_music") in [(r["fieldname"], r["fieldvalue"]) for r in rows]
    assert server.endpoints().index("UserAgent/CredentialUpsert") > server.endpoints().index(
        "UserAgent/CredentialFileUpload")


def test_a_read_back_cdn_url_is_never_written_back(server, cli, tmp_path):
    stored = "https://cdn.wiro.ai/uploads/users/u-1/holdmusic_1760000000_1.mp3?k=abc"
    recomposed = "https://cdn.wiro.ai/uploads/users/u-1/holdmusic_1760000000_1.mp3?k=def"
    cred = p.twilio_credential(holdstrategy="text_then_music", holdmusic=stored)
    server.reply("UserAgent/Detail", p.detail_newest(credential=cred))
    server.reply("UserAgent/CredentialUpsert", p.upsert_updated())
    ran = cli("save", str(credential_file(tmp_path, holdstrategy="text_then_music", holdmusic=recomposed)), "--json")
    assert ran.code == 0
    assert "holdmusic" not in names(upsert_rows(server)) and server.to("UserAgent/CredentialFileUpload") == []


def test_an_emptied_whitelist_is_sent_as_an_empty_list(server, cli, tmp_path):
    cred = p.twilio_credential(whitelistedcallers=["+447700900123"])
    server.reply("UserAgent/Detail", p.detail_newest(credential=cred), then=[p.detail_newest()])
    server.reply("UserAgent/CredentialUpsert", p.upsert_updated())
    ran = cli("save", str(credential_file(tmp_path, whitelistedcallers=[])), "--json")
    assert ran.code == 0
    assert {"credentialkey": "twilio-voice", "fieldname": "whitelistedcallers", "fieldvalue": []} in upsert_rows(server)


def test_a_whitelist_an_older_account_kept_is_reported(server, cli, tmp_path):
    cred = p.twilio_credential(whitelistedcallers=["+447700900123"])
    server.reply("UserAgent/Detail", p.detail_newest(credential=cred))
    server.reply("UserAgent/CredentialUpsert", p.upsert_updated())
    ran = cli("save", str(credential_file(tmp_path, whitelistedcallers=[])), "--json")
    assert ran.code == 1 and "kept 1 whitelisted caller" in ran.json["warnings"][0]["message"]


@pytest.mark.parametrize("message, words", [
    ("Invalid file type. Allowed: audio/mpeg, audio/wav", "it takes audio/mpeg, audio/wav"),
    ("File too large. Max: 10240 KB", "too large for Wiro"),
])
def test_a_refused_hold_file_stops_before_the_upsert(server, cli, tmp_path, message, words):
    write_wav(tmp_path / "loop.wav", 40)
    server.reply("UserAgent/Detail", p.detail_newest())
    server.reply("UserAgent/CredentialFileUpload", p.refusal(message))
    ran = cli("save", str(credential_file(tmp_path, holdstrategy="text_then_music", holdmusic="loop.wav")))
    assert ran.code == 2 and words in ran.out
    assert "UserAgent/CredentialUpsert" not in server.endpoints()


def test_a_typed_url_is_fetched_and_stored_through_credential_file_upload(server, cli, tmp_path):
    wav = write_wav(tmp_path / "remote.wav", 8).read_bytes()
    server.reply("/media/greeting.wav", wav, headers=[("Content-Type", "audio/wav")])
    server.reply("UserAgent/Detail", p.detail_newest())
    server.reply("UserAgent/CredentialFileUpload", p.file_upload_ok("holdaudio"))
    server.reply("UserAgent/CredentialUpsert", p.upsert_updated())
    url = f"http://localhost:{server.port}/media/greeting.wav"  # not the API base host: not one of Wiro's URLs
    ran = cli("save", str(credential_file(tmp_path, holdstrategy="audio", holdaudio=url)), "--json")
    assert ran.code == 0, ran.out + ran.err
    (upload,) = server.to("UserAgent/CredentialFileUpload")
    assert upload.parts["fieldname"].text == "holdaudio" and upload.parts["file"].value == wav
    assert upload.parts["file"].filename == "greeting.wav"
    assert "holdaudio" not in names(upsert_rows(server))  # never a URL written into a file field
