"""The agent's activity log (`/UserAgent/Logs`) in words: event kinds, one-line summaries, every other key
flattened, newest first, filtered and merged across polls. No Textual here: the Logs screen, the `logs`
command and the doctor all read the same events the same way.
"""
