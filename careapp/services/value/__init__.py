"""Customer value, retention, churn and the effect of care: bulk queries in, plain data out."""
