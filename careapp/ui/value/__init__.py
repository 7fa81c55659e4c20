"""The Value and retention window and the customer page's value panel."""
