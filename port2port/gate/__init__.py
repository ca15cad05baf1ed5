"""The gate-decision engine: framework-free, standard library only.

It decides from an immutable snapshot that ``port2port.access.gate`` builds from
the database. Nothing here may import Django or a domain app (an import-linter
contract checks it).
"""
