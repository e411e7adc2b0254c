"""Training stage: labeled corpora and their splits, the learned model, evaluation, and
mining candidate terms. Sits above ``detect``: it trains what the scanner serves."""
