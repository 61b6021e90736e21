"""Draws the app icons (a white shield with a blue "L" on navy) into static/icons/.

Run with `npm run icons` after changing the design; the PNGs are committed so builds need no Python.
Drawn at 4x and scaled down, so edges are smooth at every size.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

NAVY = (18, 50, 107, 255)
WHITE = (255, 255, 255, 255)
BLUE = (31, 94, 200, 255)
RED = (206, 17, 38, 255)
OUT = Path(__file__).resolve().parents[1] / "static" / "icons"


def shield(size: int, *, rounded: bool, safe: float) -> Image.Image:
    """The icon at `size` px; `safe` is the share of the canvas the shield may use (maskable icons need ~0.6)."""
    big = size * 4
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    radius = int(big * 0.2) if rounded else 0
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=radius, fill=NAVY)

    w = big * safe
    left, top = (big - w) / 2, (big - w * 1.1) / 2
    right, mid = left + w, big / 2
    shoulder, bottom = top + w * 0.55, top + w * 1.1
    outline = [(left, top + w * 0.12), (mid, top), (right, top + w * 0.12), (right, shoulder), (mid, bottom), (left, shoulder)]
    draw.polygon(outline, fill=WHITE)

    # A thin blue-white-red band across the top of the shield: the host nation's colours.
    band_top, band_h = top + w * 0.2, w * 0.09
    third = w * 0.8 / 3
    for i, colour in enumerate((BLUE, WHITE, RED)):
        x0 = left + w * 0.1 + i * third
        draw.rectangle((x0, band_top, x0 + third, band_top + band_h), fill=colour)
    draw.rectangle((left + w * 0.1, band_top, left + w * 0.9, band_top + band_h), outline=NAVY, width=max(2, big // 160))

    # The letter L, drawn from two bars so no font is needed.
    stroke = w * 0.13
    lx, ly = left + w * 0.33, top + w * 0.38
    draw.rectangle((lx, ly, lx + stroke, ly + w * 0.42), fill=NAVY)
    draw.rectangle((lx, ly + w * 0.42 - stroke, lx + w * 0.36, ly + w * 0.42), fill=NAVY)
    return img.resize((size, size), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    shield(192, rounded=True, safe=0.7).save(OUT / "icon-192.png", optimize=True)
    shield(512, rounded=True, safe=0.7).save(OUT / "icon-512.png", optimize=True)
    # Maskable: full-bleed background, the mark inside the central safe zone (radius 40 %).
    shield(512, rounded=False, safe=0.56).save(OUT / "maskable-512.png", optimize=True)
    # iOS rounds the corners itself and shows transparency as black: square and opaque.
    shield(180, rounded=False, safe=0.66).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    shield(32, rounded=True, safe=0.8).save(OUT / "favicon-32.png", optimize=True)


if __name__ == "__main__":
    main()
