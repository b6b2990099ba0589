"""Everything that separates a learner's program from the machine it runs on.

`setup` is the sequence; `namespaces`, `filesystem`, `seccomp` and `rlimits` are its steps, and
`libc` wraps the system calls Python does not. Each step is tried on its own and recorded in an
`IsolationState`, so a machine that lacks a feature still runs code (under resource limits) and
says precisely what is missing.
"""
