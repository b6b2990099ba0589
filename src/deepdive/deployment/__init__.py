"""Deployment files generated from a few choices: a Dockerfile, compose.yaml, .dockerignore,
gunicorn.conf.py, requirements.txt and a README, each from a Jinja template (see `generator`),
linted with hadolint (`lint`) and bundled with the learner's code as a zip (`bundle`)."""
