"""Hosted mode's accounts: passwords, roles, cohorts, sessions, password-reset links.

`service` holds what every surface shares (the pages in `deepdive.web.routes.accounts`, the
`deepdive admin` commands in `cli`); `sessions` is how a browser stays logged in.
"""
