"""The one exception type for mistakes a user can make or fix."""


class AlmatyError(Exception):
    """A problem the user can act on; the CLI prints it as one line and exits non-zero.

    `exit_code` 2 means the command line or configuration is wrong, 1 that the
    operation was refused or failed on its input.
    """

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class ConfigError(AlmatyError):
    """Configuration or set-up is missing or invalid (exit status 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, exit_code=2)
