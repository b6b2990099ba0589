"""The course as data: models, loader, renderer and progress."""
