"""The README's shell commands, read the way a user copies them."""

import re

from tests.ops.processes import ROOT


def readme_commands(starting_with: str) -> list[str]:
    """Every command in the README's `sh` blocks that starts with `starting_with`, with its
    continuation lines (ending in a backslash) kept, exactly as a user would paste it."""
    text = (ROOT / "README.md").read_text()
    commands = []
    for block in re.findall(r"^```sh\n(.*?)^```", text, re.M | re.S):
        command = ""
        for line in block.splitlines():
            command += line + "\n"
            if not line.endswith("\\"):
                if command.startswith(starting_with):
                    commands.append(command.rstrip("\n"))
                command = ""
    return commands
