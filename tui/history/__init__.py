"""The local history of calls: Wiro sessions and Twilio's call log kept in SQLite beyond the 200-row cap.

- `records`   plain frozen rows (a Wiro session, a Twilio call, a post-call credit row, a routing snapshot)
- `parse`     those rows from raw API dicts, tolerant of every variant the docs show (and of junk)
- `join`      one pure function: per call, reached / rejected / missed (with the likely cause) and its cost
- `schema`    the file's tables, versions and migrations; `codec` how IDs and known words are kept compact
- `store`     the SQLite file: WAL, 0600, change-only upserts, retention; raises typed problems
- `keeper`    `History`, what the app uses: records polls, never raises, moves a damaged file aside
- `insights`  the figures for a period, computed with SQL over covering indexes (and the same in Python)
- `countries` the country of a caller's number

Standard library only, apart from `phonenumbers` for the caller's country of a number (loaded when first
needed). Nothing here imports Textual.
"""
