"""A rejection with exactly one error code (00 §3)."""


class Reject(Exception):
    """A verdict of `reject`: one error code, and for cbor.* codes met while
    verifying a message, the part whose bytes were being decoded (04 §10)."""

    def __init__(self, code, part=None):
        super().__init__(code if part is None else "%s (part %s)" % (code, part))
        self.code = code
        self.part = part
