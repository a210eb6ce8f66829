"""Live-selling studio: cameras in, one synchronized program out to the platforms and to disk."""

__version__ = "0.1.0"
