"""Write the committed OpenAPI documents (`openapi/*.yaml`), or check they are current.

python manage.py openapi           # regenerate after changing an API
python manage.py openapi --check   # fail when a document is out of date (CI does)
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from drf_spectacular.renderers import OpenApiYamlRenderer

from config.openapi import DOCUMENTS, openapi_document

OUTPUT_DIR = Path(settings.BASE_DIR) / "openapi"


def rendered(name: str) -> str:
    return OpenApiYamlRenderer().render(openapi_document(name)).decode()


class Command(BaseCommand):
    help = "Write or check the committed OpenAPI documents of both APIs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Only compare; write nothing.")

    def handle(self, *args: Any, check: bool, **options: Any) -> None:
        stale = []
        for name in DOCUMENTS:
            path = OUTPUT_DIR / f"{name}.yaml"
            current = rendered(name)
            if check:
                if not path.exists() or path.read_text() != current:
                    stale.append(str(path))
                continue
            OUTPUT_DIR.mkdir(exist_ok=True)
            path.write_text(current)
            self.stdout.write(f"Wrote {path}")
        if stale:
            raise CommandError(f"Out of date (run `./scripts/manage openapi`): {', '.join(stale)}")
