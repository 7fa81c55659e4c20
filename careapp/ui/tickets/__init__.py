"""A ticket: its header, contacts, actions per state and audit trail; a customer's tickets."""
