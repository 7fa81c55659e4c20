"""Rewards in the window: the customer page's rewards, and using a waiting reward at the till."""
