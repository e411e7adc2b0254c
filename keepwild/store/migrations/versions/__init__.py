"""Migration scripts, one linear chain."""
