"""Bookstore API: the reference service the course builds toward."""
