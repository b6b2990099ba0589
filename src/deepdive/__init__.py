"""FastAPI Deep Dive: an interactive FastAPI course that runs every example for real."""

__version__ = "0.1.0"
