"""`deepdive bench`: FastAPI, Flask and Django REST Framework served by their production servers
and loaded by wrk, compared by the server CPU time each request costs.

The apps are lesson 15's examples, so the code the lesson shows is the code measured.
"""

from deepdive.bench.core import (
    ENDPOINTS,
    FRAMEWORKS,
    BenchResult,
    BenchSettings,
    WrkMissingError,
    latest,
    run_benchmark,
)

__all__ = [
    "ENDPOINTS",
    "FRAMEWORKS",
    "BenchResult",
    "BenchSettings",
    "WrkMissingError",
    "latest",
    "run_benchmark",
]
