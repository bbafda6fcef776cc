"""One policy object per right kind behind the :class:`~rights_market.engine.policy.RightPolicy` protocol."""
