"""The local history of calls: Wiro sessions and Twilio's call log kept in SQLite beyond the 200-row cap.

- `records`  plain frozen rows (a Wiro session, a Twilio call, a post-call credit row, a routing snapshot)
- `parse`    those rows from raw API dicts, tolerant of every variant the docs show (and of junk)
- `store`    the SQLite file: WAL, 0600, versioned schema with migrations, change-only upserts, retention
- `join`     one pure function: per call, reached / rejected / missed (with the likely cause) and its cost
- `insights` the figures for a period, computed with SQL over indexes (and the same in plain Python)

Standard library only, apart from `phonenumbers` for the caller's country of a number (loaded when first
needed). Nothing here imports Textual.
"""
