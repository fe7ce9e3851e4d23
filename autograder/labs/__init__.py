"""The graded questions of each lab, one module per lab (``lab03`` ...)."""
