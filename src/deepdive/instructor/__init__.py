"""The instructor view: what a cohort's learners have done, read a table at a time."""
