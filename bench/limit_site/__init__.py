"""The limit the share form is measured against (bench/submit_load.py only, never deployed).

A bare Django site under the product's own settings, middleware and gunicorn command: its one
view renders a tiny template with a CSRF token on GET and inserts one row on POST. What the
product does beyond that (the NHS.UK form, validation, the abuse checks, the summary counts,
queueing follow-up work) is what the ratio printed by the benchmark measures.
"""
