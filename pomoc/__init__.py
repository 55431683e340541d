"""Pomoc: an open-source, self-hostable help desk."""

__version__ = "0.1.0"
