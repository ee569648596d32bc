"""Certificates of completion: the completion rule, issuing, the PDF, public verification,
revocation, imported completions from e-learning platforms and the contact's panel."""
