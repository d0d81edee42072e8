"""The rights record (权利状态): who holds each patent and what rights are already granted on it.

`models` holds the tables, `services` the one locking service that transfers, licences, pledges, open-licence
declarations and imports go through (docs/rights.md).
"""
