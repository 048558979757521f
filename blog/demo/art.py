"""Abstract illustrations for the demo content, drawn with Pillow (nothing is downloaded).

Each picture is drawn from a seed, so the same name always gives the same image.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter, ImageFont

NAVY = (11, 37, 69)
NAVY_700 = (19, 49, 92)
TEAL = (11, 110, 117)
TEAL_LIGHT = (95, 170, 175)
AMBER = (242, 165, 65)
WASH = (244, 246, 248)
SKY = (214, 232, 236)

PALETTES = {
    "dusk": (NAVY, [TEAL, AMBER, NAVY_700, TEAL_LIGHT]),
    "morning": (WASH, [TEAL, NAVY, AMBER, SKY]),
    "sea": (TEAL, [NAVY, TEAL_LIGHT, WASH, AMBER]),
    "amber": (AMBER, [NAVY, TEAL, WASH, NAVY_700]),
}


@dataclass(frozen=True)
class Artwork:
    """What to draw: a style, a palette and a seed."""

    style: str  # "circles", "network", "waves" or "blocks"
    palette: str
    seed: int


def _gradient(size: tuple[int, int], top: tuple, bottom: tuple) -> Image.Image:
    width, height = size
    column = Image.new("RGB", (1, height))
    for y in range(height):
        t = y / max(1, height - 1)
        column.putpixel(
            (0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )
    return column.resize(size)


def _shade(colour: tuple, amount: float) -> tuple:
    return tuple(max(0, min(255, round(c * amount))) for c in colour)


def _circles(draw: ImageDraw.ImageDraw, size, colours, rng: random.Random) -> None:
    width, height = size
    for _ in range(9):
        radius = rng.randint(height // 6, height // 2)
        x, y = rng.randint(0, width), rng.randint(0, height)
        colour = (*rng.choice(colours), rng.randint(70, 150))
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)


def _network(draw: ImageDraw.ImageDraw, size, colours, rng: random.Random) -> None:
    width, height = size
    nodes = [(rng.randint(40, width - 40), rng.randint(40, height - 40)) for _ in range(26)]
    line = (*colours[0], 150)
    for i, (x1, y1) in enumerate(nodes):
        nearest = sorted(nodes, key=lambda n: (n[0] - x1) ** 2 + (n[1] - y1) ** 2)[1:4]
        for x2, y2 in nearest:
            draw.line((x1, y1, x2, y2), fill=line, width=4)
        radius = 14 if i % 5 else 26
        fill = (*colours[(i % 3) + 1], 255)
        draw.ellipse((x1 - radius, y1 - radius, x1 + radius, y1 + radius), fill=fill)


def _waves(draw: ImageDraw.ImageDraw, size, colours, rng: random.Random) -> None:
    width, height = size
    for band in range(6):
        base = height * (0.25 + band * 0.13)
        amplitude = rng.randint(height // 20, height // 8)
        period = rng.uniform(0.6, 1.6) * width
        phase = rng.uniform(0, math.tau)
        points = [
            (x, base + amplitude * math.sin(phase + math.tau * x / period))
            for x in range(0, width + 20, 20)
        ]
        polygon = [*points, (width, height), (0, height)]
        draw.polygon(polygon, fill=(*colours[band % len(colours)], 90 + band * 20))


def _blocks(draw: ImageDraw.ImageDraw, size, colours, rng: random.Random) -> None:
    width, height = size
    cell = height // 6
    for row in range(0, height, cell):
        for column in range(0, width, cell):
            if rng.random() < 0.45:
                colour = (*rng.choice(colours), rng.randint(90, 230))
                inset = rng.randint(4, cell // 5)
                shape = (column + inset, row + inset, column + cell - inset, row + cell - inset)
                if rng.random() < 0.5:
                    draw.rectangle(shape, fill=colour)
                else:
                    draw.ellipse(shape, fill=colour)


STYLES = {"circles": _circles, "network": _network, "waves": _waves, "blocks": _blocks}


def draw_artwork(artwork: Artwork, size: tuple[int, int] = (1600, 900)) -> bytes:
    """A JPEG of the artwork."""
    rng = random.Random(artwork.seed)  # noqa: S311 - a drawing, not a secret
    background, colours = PALETTES[artwork.palette]
    image = _gradient(size, _shade(background, 1.1), _shade(background, 0.8)).convert("RGBA")
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    STYLES[artwork.style](ImageDraw.Draw(layer), size, colours, rng)
    if artwork.style in ("circles", "waves"):
        layer = layer.filter(ImageFilter.GaussianBlur(2))
    image = Image.alpha_composite(image, layer).convert("RGB")
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=86, optimize=True, progressive=True)
    return output.getvalue()


def draw_monogram(letters: str, size: int = 400) -> bytes:
    """A round teal badge with white initials, as a PNG (for an author without a photo)."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, size - 1, size - 1), fill=(*TEAL, 255))
    try:
        font = ImageFont.load_default(size=size // 3)
    except TypeError:  # Pillow without FreeType: the small bitmap font
        font = ImageFont.load_default()
    draw.text((size / 2, size / 2), letters, fill=(255, 255, 255, 255), font=font, anchor="mm")
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()
