"""Shop settings: the first-run welcome and the "Shop settings…" dialog."""
