"""The package version (one place; ``rights_market.__version__`` re-exports it)."""

__version__ = "0.1.0"
