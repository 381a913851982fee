"""Draw the app's two icons: a shield holding three linked rings (the partnership's bodies).

Run ``python -m manifest.icons`` to redraw ``manifest/icons/color.png`` (192x192, full colour)
and ``manifest/icons/outline.png`` (32x32, white on transparent), the PNGs Teams asks for.
Shapes are drawn large and scaled down, so edges are smooth; the outline icon keeps every
pixel pure white and varies only the alpha, as Teams requires. Needs Pillow (a dev extra).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parent / "icons"
ACCENT = "#1D4F91"
RING_COLOURS = ("#1D4F91", "#0E8A7E", "#E0A526")
WHITE = (255, 255, 255)

Point = tuple[float, float]


def _bezier(p0: Point, p1: Point, p2: Point, p3: Point, steps: int = 24) -> list[Point]:
    out = []
    for i in range(steps + 1):
        t = i / steps
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
        out.append(
            (
                a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
            )
        )
    return out


def shield(cx: float, top: float, width: float, height: float) -> list[Point]:
    """A heater shield outline: flat top, straight sides, curving down to a point."""
    left, right, bottom = cx - width / 2, cx + width / 2, top + height
    shoulder = top + height * 0.42
    right_side = _bezier(
        (right, shoulder),
        (right, top + height * 0.75),
        (cx + width * 0.2, bottom - height * 0.08),
        (cx, bottom),
    )
    left_side = [(2 * cx - x, y) for x, y in reversed(right_side)]
    return [(left, top), (right, top), *right_side, *left_side]


def _rings(cx: float, cy: float, radius: float) -> list[Point]:
    """Centres of three rings in a triangle, overlapping like linked hands."""
    d = radius * 0.78
    return [(cx - d, cy - d * 0.45), (cx + d, cy - d * 0.45), (cx, cy + d * 0.95)]


def color_icon(scale: int = 4) -> Image.Image:
    """The 192x192 colour icon: accent background, white shield, three coloured rings."""
    size = 192 * scale
    image = Image.new("RGB", (size, size), ACCENT)
    draw = ImageDraw.Draw(image)
    s = float(scale)
    draw.polygon(shield(96 * s, 30 * s, 112 * s, 134 * s), fill=WHITE)
    radius = 20 * s
    for (x, y), colour in zip(_rings(96 * s, 88 * s, radius), RING_COLOURS, strict=True):
        draw.ellipse(
            (x - radius, y - radius, x + radius, y + radius), outline=colour, width=int(7 * s)
        )
    return image.resize((192, 192), Image.Resampling.BOX)


def outline_icon(scale: int = 16) -> Image.Image:
    """The 32x32 outline icon: a white shield outline and two linked rings on transparency."""
    size = 32 * scale
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    s = float(scale)
    outline = shield(16 * s, 3 * s, 24 * s, 27 * s)
    draw.line([*outline, outline[0]], fill=255, width=int(2.2 * s), joint="curve")
    radius = 4.6 * s
    for x in (13.1 * s, 18.9 * s):
        y = 13.5 * s
        draw.ellipse(
            (x - radius, y - radius, x + radius, y + radius), outline=255, width=int(2 * s)
        )
    alpha = mask.resize((32, 32), Image.Resampling.BOX)  # area average: no ringing haze
    icon = Image.new("RGBA", (32, 32), (*WHITE, 0))
    icon.putalpha(alpha)
    return icon


def main() -> None:
    """Redraw both icons into ``manifest/icons/``."""
    ICONS.mkdir(exist_ok=True)
    color_icon().save(ICONS / "color.png", optimize=True)
    outline_icon().save(ICONS / "outline.png", optimize=True)
    print(f"wrote {ICONS / 'color.png'} and {ICONS / 'outline.png'}")


if __name__ == "__main__":
    main()
