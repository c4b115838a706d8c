"""The installed package's version, in a leaf module every layer may import."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dualtrack")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"
