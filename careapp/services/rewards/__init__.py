"""Loyalty and referral rewards: the owner's rules, the ledger, redeeming, and the report."""
