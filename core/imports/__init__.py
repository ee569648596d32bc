"""Importing spreadsheets of records: reading, mapping, planning, committing and undoing batches."""
