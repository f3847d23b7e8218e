"""marketpower: measure, simulate and map market power, starting with the AI stack."""

__version__ = "0.1.0"
