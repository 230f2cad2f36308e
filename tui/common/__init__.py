"""Small helpers shared by several packages: printable text (`text`), JSON coercion (`coerce`), atomic 0600
writes (`atomic`), masking secrets (`masking`), the polling schedule (`polling`), the failure kinds both API
clients share (`errors`) and their HTTP retry and answer reading (`http`).

Framework-free and standard library only, except `http`, which imports httpx and so is loaded only with a
client.
"""
