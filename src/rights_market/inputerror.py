"""The error every command raises for bad input that is not a scenario problem.

Its own module so that the commands (:mod:`rights_market.cli` and the ones it delegates to, such as
:mod:`rights_market.classroom.command`) can raise it without importing the CLI; the CLI turns it into a
message and exit code 2.
"""

from __future__ import annotations


class InputError(Exception):
    """Bad input that is not a scenario problem (a missing run directory, a bad number)."""


class StudyInputError(Exception):
    """Bad input to a study command (a store in use or of another study, a bad --vary, ...).

    Defined here, not in :mod:`rights_market.sweep.commands`, so that the CLI can catch it without loading
    the sweep package (Dask) for every command."""
