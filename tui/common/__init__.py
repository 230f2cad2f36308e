"""Small helpers shared by several packages: printable text (`text`), JSON coercion (`coerce`), atomic 0600
writes (`atomic`), masking secrets (`masking`), the polling schedule (`polling`), the failure kinds both API
clients share (`errors`), their HTTP session, retry and answer reading (`http`, with `plain_http` and
`httpx_session`), and RFC 2822 dates (`dates`).

Framework-free and standard library only, except `httpx_session`, which imports httpx and is loaded only for a
client of an https base (`http.open_session`).
"""
