"""The kernels of choose_use reproduce numpy's rules element by element (the whole solve is compared with the
numpy definition in test_economics)."""

import numpy as np

from rights_market.rules import use_kernels as uk


def test_tariff_lookup_is_searchsorted_right_including_nan_and_infinities():
    edges = np.array([10.0, 20.0, 35.5])
    rates = np.array([1.0, 2.0, 3.0, 4.0])
    qs = np.array([-np.inf, -1.0, 0.0, 9.999, 10.0, 10.5, 20.0, 35.5, 35.6, 1e300, np.inf, np.nan])
    want = rates[edges.searchsorted(qs, side="right")]
    assert [uk._tariff(q, edges, rates) for q in qs] == want.tolist()
    assert uk._tariff(5.0, np.zeros(0), np.zeros(1)) == 0.0  # no tariff: rate 0


def test_minimum_propagates_nan_as_numpy_does():
    vals = [-1.0, 0.0, 2.5, np.inf, -np.inf, np.nan]
    for a in vals:
        for b in vals:
            got, want = uk._minimum(a, b), float(np.minimum(a, b))
            assert (np.isnan(got) and np.isnan(want)) or got == want, (a, b)
