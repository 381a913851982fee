"""``python -m manifest build``: the Teams app package (``appPackage.zip``) from ``.env``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from manifest.build import (
    ICONS,
    build_manifest,
    check_icons,
    schema_errors,
    schema_file,
    write_package,
)
from manifest.settings import PackageError, merged_env, package_settings

ROOT = Path(__file__).resolve().parent.parent


def parser() -> argparse.ArgumentParser:
    """Arguments of ``python -m manifest``."""
    main = argparse.ArgumentParser(prog="python -m manifest", description=__doc__)
    sub = main.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="write the app package to upload to Teams")
    build.add_argument("--output", type=Path, default=ROOT / "appPackage.zip")
    build.add_argument("--env-file", type=Path, default=ROOT / ".env")
    return main


def build(output: Path, env_file: Path) -> int:
    """Check every value, validate when the schema is here, write the zip, print its path."""
    try:
        settings = package_settings(merged_env(env_file))
        manifest = build_manifest(settings)
        check_icons(manifest, ICONS)
        schema = schema_file(manifest)
    except PackageError as exc:
        print(f"cannot build the app package: {exc}", file=sys.stderr)
        return 2
    if schema.is_file():
        problems = schema_errors(manifest, schema)
        if problems:
            print(f"the manifest does not match {schema}:", file=sys.stderr)
            for line in problems:
                print(f"  {line}", file=sys.stderr)
            return 1
        print(
            f"manifest valid against the official schema v{manifest['manifestVersion']}",
            file=sys.stderr,
        )
    else:
        print(
            "note: not validated (the official schema is fetched by `make test`)", file=sys.stderr
        )
    print(write_package(manifest, ICONS, output.resolve()))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run a sub-command; returns the exit code."""
    args = parser().parse_args(argv)
    if args.command == "build":
        return build(args.output, args.env_file)
    return 2


if __name__ == "__main__":
    sys.exit(main())
