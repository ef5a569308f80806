"""Exports and bulletins built from stored plans (XLSX now; DOCX and HTML later)."""
