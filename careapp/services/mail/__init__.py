"""Email from careapp through the shop's own mailbox (SMTP): settings, sending, and the Outbox."""
