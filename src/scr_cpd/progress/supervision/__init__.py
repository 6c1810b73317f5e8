"""A supervisor's side of the CPD log: reading and verifying log files (logfile), the trusted
keys and the keyring (trust, keyring), team summaries (team) and their CSV/HTML reports
(team_report), and signing a log off (signoff). Never prints or prompts; the CLI does that."""


class SupervisionError(Exception):
    """Something about the supervisor's own files or request; one sentence for the user.
    `usage` when the request itself was wrong (the CLI exits 2), else a check failed (exit 1)."""

    def __init__(self, message: str, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage
