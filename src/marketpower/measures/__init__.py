"""Measures competition authorities use: concentration, guideline screens, ownership-adjusted indices."""
