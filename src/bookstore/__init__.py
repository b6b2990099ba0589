"""Bookstore API: the reference service the course builds toward."""

__version__ = "1.0.0"
