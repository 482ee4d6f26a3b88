"""The package version (one place, read by the build and by saved models)."""

__version__ = "0.1.0"
