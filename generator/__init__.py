"""briefings: a static site generator for geopolitical briefings."""

__version__ = "0.1.0"
