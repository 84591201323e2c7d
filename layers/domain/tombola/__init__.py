"""Tombola domain: the rules of draw-based commerce (KR 10-1753024) and their adapters.

Pure modules (no AWS import): errors, money, pricing, lifecycle, tickets, draw, ledger,
settlement, statement, ports. Adapters live in ``tombola.adapters``.
"""
