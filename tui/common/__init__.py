"""Small helpers shared by several packages (framework-free, standard library only)."""
