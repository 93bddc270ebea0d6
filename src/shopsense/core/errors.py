"""The one exception tree of shopsense.

::

    ShopsenseError
    ├── InputError                 the caller gave something unusable (4xx at the API edge)
    │   ├── UnsupportedFormatError a file format or compression we cannot read
    │   ├── MappingError           a column mapping that does not fit the file
    │   └── LimitExceededError     a documented limit was exceeded
    ├── NotFoundError              a product, run or model that does not exist
    ├── StorageError               the store cannot be opened or migrated
    └── ConfigError                settings that do not validate

Shells (CLI, API) translate these into exit codes and HTTP statuses; domain code
raises them with a message a person can act on.
"""


class ShopsenseError(Exception):
    """Base of every error shopsense raises on purpose."""

    code = "error"


class InputError(ShopsenseError):
    """The input cannot be used as given."""

    code = "invalid_input"


class UnsupportedFormatError(InputError):
    """A file format or compression shopsense cannot read."""

    code = "unsupported_format"


class MappingError(InputError):
    """A column mapping refers to columns the file does not have, or is malformed."""

    code = "invalid_mapping"


class LimitExceededError(InputError):
    """A documented limit (length, page size, body size) was exceeded."""

    code = "limit_exceeded"


class NotFoundError(ShopsenseError):
    """The thing asked for does not exist."""

    code = "not_found"


class StorageError(ShopsenseError):
    """The store cannot be opened, migrated or written."""

    code = "storage_error"


class ConfigError(ShopsenseError):
    """Settings are missing or invalid."""

    code = "invalid_config"
