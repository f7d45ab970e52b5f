"""Exports of tables and reports: XLSX and CSV for every table, PDF for printable reports.

Views describe what they show as a ``exports.tables.Table`` and answer
``exports.responses.export_response(table, fmt)``; reports are Django templates rendered
to PDF by ``exports.responses.pdf_response``. See ``docs/exports.md``."""
