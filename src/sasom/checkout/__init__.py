"""The checkout: the use cases of a sale (quote, commit, return, void) above the ledger and rewards."""
