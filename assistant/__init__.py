"""assistant: fills the Free Caller Registry portal, and forms like it, from saved profiles."""

__version__ = "0.1.0"
