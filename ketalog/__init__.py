"""ketalog: private terminal self-tracking for people going through ketamine therapy."""

__version__ = "0.2.0"
