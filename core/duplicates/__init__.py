"""Likely duplicate contacts and organizations: the per-tenant rules that score a pair, the finder
that looks candidates up by blocking keys, and the merge that folds one record into another."""
