"""Every exception the library raises for the user's input, in one place.

All derive from :class:`TpbnlpError`, whose message is Vietnamese and meant for
the user: the CLI shows it as it is, without a traceback. Anything else is a
bug and keeps its traceback.
"""

__all__ = [
    "CorpusError",
    "CountsError",
    "InputError",
    "LabelFileError",
    "LegacyEncodingError",
    "MinutesError",
    "ModelError",
    "TpbnlpError",
]


class TpbnlpError(Exception):
    """An error in the user's input or files; its message is meant for the user."""


class InputError(TpbnlpError):
    """A file cannot be read or written as asked."""


class MinutesError(InputError):
    """A minutes file cannot be read; the message names the file."""


class CountsError(InputError):
    """A counts table cannot be understood."""


class LegacyEncodingError(TpbnlpError, ValueError):
    """Text looks like a legacy Vietnamese encoding that cannot be converted."""


class LabelFileError(TpbnlpError, ValueError):
    """A label file is missing, unreadable or malformed; the message names the entry at fault."""


class CorpusError(TpbnlpError, ValueError):
    """The corpus file cannot be read as a corpus."""


class ModelError(TpbnlpError):
    """A model directory is missing, damaged, altered or incompatible."""
