"""Conservation checks run after every scenario: balanced entries, a closed statement, no
internal account below zero."""

from __future__ import annotations

from tombola_dev.memory_ledger import MAY_GO_NEGATIVE, Ledger

from tombola.domain.ledger import escrow
from tombola.domain.statement import Statement, statement


def assert_conserved(ledger: Ledger, listing_id: str, currency: str) -> Statement:
    for entry in ledger.entries.values():
        assert sum(p.amount for p in entry.postings) == 0, entry.key
    # Money is neither created nor destroyed: all balances of a currency sum to zero.
    assert sum(b for (_, c), b in ledger.balances.items() if c == currency) == 0
    for (account, _), balance in ledger.balances.items():
        if account not in MAY_GO_NEGATIVE:
            assert balance >= 0, f"{account} is {balance}"
    st = statement(listing_id, currency, ledger.for_listing(listing_id))
    assert st.balanced, st
    assert st.held_in_escrow == ledger.balance(escrow(listing_id), currency)
    return st
