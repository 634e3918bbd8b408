"""EU-bevakning: watches EU funding calls and network news for Swedish municipalities."""

__version__ = "0.1.0"
