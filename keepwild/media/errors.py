"""The media layer's branch of keepwild's exception tree.

    KeepwildError
    └── MediaError (also ValueError)      anything the media layer refuses
        ├── ImageError                    bytes that are not a usable image (corrupt, too big)
        ├── FetchError                    a URL refused by the fetch policy or that failed
        ├── HashFormatError               a hash that is not 64 hex digits
        └── BankError                     a bank operation or bank file that is invalid
            ├── UnknownBankError          no bank of that name
            └── BankExistsError           a bank of that name already exists
"""

from __future__ import annotations

from keepwild.errors import KeepwildError

__all__ = ["MediaError", "ImageError", "FetchError", "HashFormatError", "BankError",
           "UnknownBankError", "BankExistsError"]


class MediaError(KeepwildError, ValueError):
    """Root of the media layer's errors."""


class ImageError(MediaError):
    """The bytes are not an image keepwild can hash: corrupt, unsupported or too large."""


class FetchError(MediaError):
    """An image URL was refused by the fetch policy (host, address, size, time) or failed."""


class HashFormatError(MediaError):
    """A hash string is not a PDQ hash (64 hexadecimal digits)."""


class BankError(MediaError):
    """A hash bank operation or bank file is invalid; file errors name the line."""


class UnknownBankError(BankError):
    """No bank has that name (a service answers 404, not 422)."""


class BankExistsError(BankError):
    """Creating a bank whose name is taken (a service answers 409)."""
