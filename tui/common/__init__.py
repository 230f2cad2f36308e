"""Small helpers shared by several packages (the command line, the doctor, the call semantics)."""
