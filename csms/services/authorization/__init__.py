"""Who may charge: id tokens (what Authorize answers from), reservations, and the local
authorization lists pushed to stations."""
