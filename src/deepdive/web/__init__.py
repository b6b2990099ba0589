"""The web application: pages, API and assets."""
