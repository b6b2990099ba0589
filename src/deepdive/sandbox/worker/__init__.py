"""The code that runs *inside* a sandboxed process: from warming up to reporting the result.

`main` is the entry point (called in the sandbox's PID 1 once isolation is in place); the other
modules are its parts: `files` (the learner's files on disk), `output` (capped stdout/stderr),
`guard` (wall-clock, CPU and output limits turned into exceptions that say where the learner's
code was), `tracebacks` (exceptions mapped to the learner's lines), `loader` (importing the
learner's module), `asgi` (lifespan and the engine's view of each request), `app_run`,
`test_run`, `session_run` (the three kinds of run) and `warmup`.
"""
