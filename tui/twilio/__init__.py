"""Twilio REST checks: account, incoming numbers, classification of where calls really go, caller IDs.

No Textual here. The HTTP client (and httpx, for an https base) loads on first use, so importing the package
costs nothing at start-up; import `tui.twilio.client` / `tui.twilio.verify` where the network is needed.
"""
