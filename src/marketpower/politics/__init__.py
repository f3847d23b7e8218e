"""Politics domain: committees and their money, donor linking, and state AI legislation (pure functions)."""
