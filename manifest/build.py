"""Fill in the manifest template, check it and the icons, and write ``appPackage.zip``.

The package is what Teams accepts for upload: ``manifest.json`` and the two icons at the root of
a zip. When the official manifest schema is on this machine (``make test`` fetches it into
``.cache/``) and ``jsonschema`` is installed, the manifest is validated against it too.
"""

from __future__ import annotations

import json
import re
import struct
import zipfile
from pathlib import Path
from typing import Any

from manifest.settings import PackageError, PackageSettings

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "manifest.template.json"
ICONS = HERE / "icons"
ICON_SIZES = {"color": (192, 192), "outline": (32, 32)}
SCHEMAS = HERE.parent / ".cache/npm/node_modules/@microsoft/app-manifest/build/json-schemas/teams"
PLACEHOLDER = re.compile(r"\$\{\{(\w+)\}\}")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A fixed time for every zip entry: the same inputs give the same bytes.
ZIP_TIME = (2024, 1, 1, 0, 0, 0)


def render(template: Any, values: dict[str, str]) -> Any:
    """The template with every ``${{NAME}}`` in its strings replaced.

    Raises:
        PackageError: when the template names a value that is not provided.
    """
    if isinstance(template, dict):
        return {key: render(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [render(value, values) for value in template]
    if isinstance(template, str):

        def fill(found: re.Match[str]) -> str:
            if found[1] not in values:
                raise PackageError(f"the manifest template needs {found[1]}, which is not set")
            return values[found[1]]

        return PLACEHOLDER.sub(fill, template)
    return template


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header.

    Raises:
        PackageError: when the file is not a PNG.
    """
    head = path.read_bytes()[:24]
    if len(head) < 24 or not head.startswith(PNG_SIGNATURE) or head[12:16] != b"IHDR":
        raise PackageError(f"{path.name} is not a PNG file")
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def check_icons(manifest: dict[str, Any], icons: Path) -> None:
    """Both icons exist at the sizes Teams requires."""
    for kind, size in ICON_SIZES.items():
        path = icons / manifest["icons"][kind]
        if not path.is_file():
            raise PackageError(f"the {kind} icon {path} is missing")
        if png_size(path) != size:
            raise PackageError(f"the {kind} icon must be {size[0]}x{size[1]} pixels")


def schema_file(manifest: dict[str, Any], root: Path = SCHEMAS) -> Path:
    """The bundled official schema for the manifest's version (its ``$schema`` must agree)."""
    version = manifest["manifestVersion"]
    if f"/v{version}/" not in manifest["$schema"]:
        raise PackageError(f"$schema does not match manifestVersion {version}")
    return root / f"v{version}" / "MicrosoftTeams.schema.json"


def schema_errors(manifest: dict[str, Any], schema_path: Path) -> list[str]:
    """Problems the official (draft-04) schema finds, as readable lines."""
    import jsonschema  # a dev extra: only needed when the schema is there to check against

    schema = json.loads(schema_path.read_text(encoding="utf-8-sig"))
    validator = jsonschema.Draft4Validator(schema)
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
        for error in sorted(validator.iter_errors(manifest), key=lambda e: list(e.path))
    ]


def write_package(manifest: dict[str, Any], icons: Path, output: Path) -> Path:
    """Write the zip: ``manifest.json`` and the icons at its root."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        entries: list[tuple[str, str | bytes]] = [("manifest.json", text)]
        for kind in ICON_SIZES:
            name = manifest["icons"][kind]
            entries.append((name, (icons / name).read_bytes()))
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return output


def build_manifest(settings: PackageSettings, template: Path = TEMPLATE) -> dict[str, Any]:
    """The filled-in manifest."""
    rendered: dict[str, Any] = render(
        json.loads(template.read_text(encoding="utf-8")), settings.values
    )
    return rendered
