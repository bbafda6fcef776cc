"""Pure policy functions: tariffs and surcharges, fees and proceeds splits, eligibility. No SimPy, no I/O."""
