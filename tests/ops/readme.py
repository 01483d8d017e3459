"""The README's shell commands, read the way a user copies them."""

import re

from tests.ops.processes import ROOT


def readme_blocks() -> list[str]:
    """The README's `sh` code blocks."""
    return re.findall(r"^```sh\n(.*?)^```", (ROOT / "README.md").read_text(), re.M | re.S)


def readme_block(containing: str) -> str:
    """The one `sh` block that contains `containing`, to run as a script."""
    (block,) = [block for block in readme_blocks() if containing in block]
    return block


def readme_commands(starting_with: str) -> list[str]:
    """Every command in the README's `sh` blocks that starts with `starting_with`, with its
    continuation lines (ending in a backslash) kept, exactly as a user would paste it."""
    commands = []
    for block in readme_blocks():
        command = ""
        for line in block.splitlines():
            command += line + "\n"
            if not line.endswith("\\"):
                if command.startswith(starting_with):
                    commands.append(command.rstrip("\n"))
                command = ""
    return commands
