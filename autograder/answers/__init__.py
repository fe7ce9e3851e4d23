"""The answer key of each lab, one module per lab: what the checks' ``oracle`` answers from."""
