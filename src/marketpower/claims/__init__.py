"""Claims check: structured claims from a text, compared with the data package and the models."""

from .check import VERDICTS, ClaimResult, Found, check_claims, verdict
from .spec import METRICS, UNITS, Claim, ClaimsFile, load_claims, parse_claim

__all__ = [
    "METRICS",
    "UNITS",
    "VERDICTS",
    "Claim",
    "ClaimResult",
    "ClaimsFile",
    "Found",
    "check_claims",
    "load_claims",
    "parse_claim",
    "verdict",
]
