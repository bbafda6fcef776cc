"""What every right shares: the rights register, pledges (X3), reserve money (X2, E9) and record helpers.

* :mod:`.registry` — the ``registry`` table (F1, F2, F3, X3);
* :mod:`.pledges` — encumbrances kept in the ledger as ``<product>.pledged`` (X3, W14, E10, F3);
* :mod:`.reserves` — the reserve accounts of the rights, their budgets, sale income and tallies (X2, E9);
* :mod:`.records` — ``trades``/``charges``/``orders_rejected`` rows from scalars or arrays.

Modules here import no right's policy; the rights import them.
"""
