"""Operational records (residents, institutions, staff, visits, discharges, contracts, referrals,
drug purchases): their schema, validation and the DuckDB store the indicator catalogue runs on."""
