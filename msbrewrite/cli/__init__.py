"""The console script and one module per command, terminal output, the human and JSON reports,
SARIF and HTML reports, the Docker CLI plugin.

May import: every other layer; nothing imports it.
"""


def main() -> None:
    """The console script; kept for `from msbrewrite.cli import main` callers."""
    from msbrewrite.cli.entry import main as entry_main
    entry_main()
