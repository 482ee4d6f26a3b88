"""The library's exception base: errors caused by the user's input, with Vietnamese messages.

The CLI shows these messages as they are, without a traceback; anything else
is a bug and keeps its traceback.
"""


class TpbnlpError(Exception):
    """An error in the user's input or files; its message is meant for the user."""
