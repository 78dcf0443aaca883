"""claimtrack: log claims and forecasts, resolve them, score calibration."""

__version__ = "0.1.0"
