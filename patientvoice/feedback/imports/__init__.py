"""Importing Friends and Family Test and survey exports (CSV or XLSX) with a saved column mapping.

By concern: `read` turns a file into rows, `check` turns a row into a record or a line-numbered
problem, `write` stores checked rows, `run` runs an import in the worker and recovers one whose
worker died, and `services` is what the staff pages call.
"""

from patientvoice.feedback.imports.check import MAPPABLE
from patientvoice.feedback.imports.read import ImportFileError, read_header
from patientvoice.feedback.imports.run import run_import
from patientvoice.feedback.imports.services import (
    change_mapping,
    may_retry,
    receive_upload,
    retry_import,
    start_import,
)

__all__ = [
    "MAPPABLE",
    "ImportFileError",
    "change_mapping",
    "may_retry",
    "read_header",
    "receive_upload",
    "retry_import",
    "run_import",
    "start_import",
]
