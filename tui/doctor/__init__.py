"""The Doctor: every check that can be made from here, turned into findings with the fix in plain words.

findings   Finding (id, severity, title, detail, fix), their order, the verdict and the JSON document
evidence   Evidence: everything the checks look at, gathered once and immutable
gather     gather(client, guid, settings, twilio=…): the evidence, with bounded concurrency
checks_*   one plain function per check, each reading Evidence and returning findings
logcontext what the activity log said around a session
text       small wording helpers (times, counts, server text made safe to quote)
diagnose   diagnose(evidence): every check, findings ordered by severity
cli        `wiro-voice doctor [--json]`

Nothing here imports Textual; this package file imports nothing, so building the command line stays cheap.
"""
