"""The sandbox suite runs against one real runner for the whole session."""

from deepdive.sandbox.testing import (  # noqa: F401  (fixtures)
    run_in_sandbox,
    runner_client,
    runner_url,
    sandbox_runner,
    sandbox_settings,
)
