"""yakuba assistant search|ingest|sync: the knowledge base from the command line.

`yakuba assistant search --town 103829 --json "質問"` prints the ranked passages as a JSON list of {title, section,
url, score, text, kind, version_date}. Keep that output stable: evaluation scripts read it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope, scopes_disabled

from yakuba.kernel.refusal import Refused
from yakuba.kernel.tenancy.codes import full_code
from yakuba.kernel.tenancy.models import Municipality

from ...models import Kind, Passage
from ...services import extract, search, sources
from ...services import ingest as ingest_service
from ...services.ingest import DocumentFields, upsert


def _town(code: str) -> Municipality:
    full = full_code(code)
    town = Municipality.objects.filter(code=full).first() if full else None
    if town is None:
        raise CommandError(f"No town with code {code}.")
    return town


class Command(BaseCommand):
    help = "Search the knowledge base, ingest a file (a town's or a national document) or sync procedures/notices."

    def add_arguments(self, parser: Any) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        find = commands.add_parser("search", help="print the ranked passages for a question")
        find.add_argument("--town", required=True, help="municipality code (103829 or 10382)")
        find.add_argument("--json", action="store_true", help="print JSON (stable, for evaluation)")
        find.add_argument("--limit", type=int, default=10)
        find.add_argument("--public", action="store_true", help="only what residents may see")
        find.add_argument("--kind", action="append", choices=Kind.values, help="only these kinds (repeatable)")
        find.add_argument("query")
        add = commands.add_parser("ingest", help="add or replace a document from a file (.txt .md .html .pdf .docx)")
        where = add.add_mutually_exclusive_group(required=True)
        where.add_argument("--town", help="municipality code")
        where.add_argument("--national", action="store_true", help="a national document (法令) every town searches")
        add.add_argument("--kind", required=True, choices=Kind.values)
        add.add_argument("--title", required=True)
        add.add_argument("--key", help="stable identity; a second ingest with the same key replaces the document "
                                       "(default: the file name)")
        add.add_argument("--source", default="", help="出典")
        add.add_argument("--url", default="")
        add.add_argument("--version-date", type=date.fromisoformat, default=None)
        add.add_argument("--private", action="store_true", help="staff search only")
        add.add_argument("file", type=Path)
        sync = commands.add_parser("sync", help="bring procedure and notice documents in step")
        sync.add_argument("--town", required=True)
        again = commands.add_parser("resplit", help="split every document again with today's rules (after an "
                                    "upgrade: headings, 条・項 and tables read differently)")
        whose = again.add_mutually_exclusive_group(required=True)
        whose.add_argument("--town", help="the town's code")
        whose.add_argument("--national", action="store_true", help="the national documents (法令)")

    def handle(self, *args: Any, **options: Any) -> None:
        {"search": self.search, "ingest": self.ingest, "sync": self.sync,
         "resplit": self.resplit}[options["command"]](options)

    def search(self, options: dict[str, Any]) -> None:
        town = _town(options["town"])
        with scope(municipality=town):
            try:
                result = search.search(town, options["query"], public=options["public"], kinds=options["kind"],
                                       limit=max(1, min(options["limit"], 100)))
            except Refused as error:
                raise CommandError(str(error)) from error
        rows = [{"title": hit.title, "section": hit.section,
                 "url": town.absolute_url(hit.url) if hit.url.startswith("/") else hit.url,
                 "score": round(hit.score, 4), "text": hit.text, "kind": hit.kind,
                 "version_date": hit.version_date.isoformat() if hit.version_date else None} for hit in result.hits]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        for number, row in enumerate(rows, 1):
            self.stdout.write(f"{number}. {row['title']} {row['section']}  ({row['score']})  {row['url']}")
            self.stdout.write("   " + str(row["text"])[:200].replace("\n", " "))

    def ingest(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        fmt = extract.format_of(path.name)
        if fmt is None or not path.is_file():
            raise CommandError(f"{path}: not a readable .txt/.md/.html/.pdf/.docx file.")
        try:
            text = extract.extract(path.read_bytes(), fmt)
        except extract.Unreadable as error:
            raise CommandError(f"{path}: {error}") from error
        town = None if options["national"] else _town(options["town"])
        fields = DocumentFields(kind=options["kind"], title=options["title"], is_public=not options["private"],
                                source=options["source"], url=options["url"], version_date=options["version_date"])
        key = f"file:{options['key'] or path.name}"
        # National documents belong to no town: the operator writes them with scopes disabled.
        with scopes_disabled() if town is None else scope(municipality=town):
            document = upsert(town, source_key=key, fields=fields, text=text)
            assert document is not None  # the text was not empty
            passages = Passage.with_national.filter(document=document).count()
        self.stderr.write(f"{document.title}: version {document.version}, {passages} passages.")

    def sync(self, options: dict[str, Any]) -> None:
        town = _town(options["town"])
        with scope(municipality=town):
            self.stderr.write(f"{sources.sync(town)} documents written.")

    def resplit(self, options: dict[str, Any]) -> None:
        town = None if options["national"] else _town(options["town"])
        with scopes_disabled() if town is None else scope(municipality=town):
            self.stderr.write(f"{ingest_service.resplit(town)} documents split again.")
