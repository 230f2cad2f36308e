"""The `twilio-voice` credential: the draft being edited, the field rules, voices, SSML, phone numbers,
the CredentialUpsert payload, credential files, saving, and the `check` / `save` commands.

No Textual here: the same rules serve the form, the command line and the tests.
"""
