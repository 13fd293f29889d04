"""evidence_lib: a health article's claims beside what the studies behind them found."""

__version__ = "0.1.0"
