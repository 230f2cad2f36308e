"""Hold audio: what a caller hears while the agent connects. No Textual here; heavy imports on first use."""
