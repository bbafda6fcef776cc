"""One policy object per right kind behind the :class:`~rights_market.rights.base.RightPolicy` protocol."""
