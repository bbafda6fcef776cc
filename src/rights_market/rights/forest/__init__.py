"""The forest package: ``descriptor`` (what the catalogue lists), ``policy`` (the calendar hooks) and topic modules.

Nothing is imported here, so importing ``descriptor`` loads no policy.
"""
