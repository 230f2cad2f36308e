"""The webhook report: what Wiro said about each number on the last credential save, kept per agent,
and the `wiro-voice webhooks` command that puts it beside the live verification on Twilio. No Textual."""
