"""The visible checks of each lab, one module per lab (the hidden ones are the instructor's)."""
