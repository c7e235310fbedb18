"""A small PNG bar chart in pure Python (zlib + struct): incidents per week by severity.

No imaging library: a canvas of RGB bytes, filled rectangles, a 5×7 bitmap font for the title,
legend and axis labels, and a PNG encoder (one IDAT chunk, filter type 0 on every row).
The image holds counts and week dates only, nothing about any single incident.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Sequence

from bot.metrics.figures import Metrics
from bot.policy import Policy

Color = tuple[int, int, int]

WHITE: Color = (255, 255, 255)
INK: Color = (31, 41, 55)
AXIS: Color = (107, 114, 128)
GRID: Color = (229, 231, 235)
SEVERITY_COLORS: dict[int, Color] = {1: (220, 38, 38), 2: (234, 88, 12), 3: (202, 138, 4), 4: (107, 114, 128)}
OTHER_COLOR: Color = (37, 99, 235)

# Each glyph: 7 rows of 5 pixels, '#' on.
_GLYPHS = {
    "A": ".###. #...# #...# ##### #...# #...# #...#", "B": "####. #...# #...# ####. #...# #...# ####.",
    "C": ".###. #...# #.... #.... #.... #...# .###.", "D": "####. #...# #...# #...# #...# #...# ####.",
    "E": "##### #.... #.... ####. #.... #.... #####", "F": "##### #.... #.... ####. #.... #.... #....",
    "G": ".###. #...# #.... #.### #...# #...# .####", "H": "#...# #...# #...# ##### #...# #...# #...#",
    "I": ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.", "J": "..### ...#. ...#. ...#. ...#. #..#. .##..",
    "K": "#...# #..#. #.#.. ##... #.#.. #..#. #...#", "L": "#.... #.... #.... #.... #.... #.... #####",
    "M": "#...# ##.## #.#.# #.#.# #...# #...# #...#", "N": "#...# #...# ##..# #.#.# #..## #...# #...#",
    "O": ".###. #...# #...# #...# #...# #...# .###.", "P": "####. #...# #...# ####. #.... #.... #....",
    "Q": ".###. #...# #...# #...# #.#.# #..#. .##.#", "R": "####. #...# #...# ####. #.#.. #..#. #...#",
    "S": ".#### #.... #.... .###. ....# ....# ####.", "T": "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",
    "U": "#...# #...# #...# #...# #...# #...# .###.", "V": "#...# #...# #...# #...# #...# .#.#. ..#..",
    "W": "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.", "X": "#...# #...# .#.#. ..#.. .#.#. #...# #...#",
    "Y": "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..", "Z": "##### ....# ...#. ..#.. .#... #.... #####",
    "0": ".###. #...# #..## #.#.# ##..# #...# .###.", "1": "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.",
    "2": ".###. #...# ....# ...#. ..#.. .#... #####", "3": "##### ...#. ..#.. ...#. ....# #...# .###.",
    "4": "...#. ..##. .#.#. #..#. ##### ...#. ...#.", "5": "##### #.... ####. ....# ....# #...# .###.",
    "6": "..##. .#... #.... ####. #...# #...# .###.", "7": "##### ....# ...#. ..#.. .#... .#... .#...",
    "8": ".###. #...# #...# .###. #...# #...# .###.", "9": ".###. #...# #...# .#### ....# ...#. .##..",
    "-": "..... ..... ..... .###. ..... ..... .....", ":": "..... ..#.. ..#.. ..... ..#.. ..#.. .....",
    ".": "..... ..... ..... ..... ..... .##.. .##..", "/": "..... ....# ...#. ..#.. .#... #.... .....",
    "(": "...#. ..#.. .#... .#... .#... ..#.. ...#.", ")": ".#... ..#.. ...#. ...#. ...#. ..#.. .#...",
    ",": "..... ..... ..... ..... .##.. ..#.. .#...", "%": "##... ##..# ...#. ..#.. .#... #..## ...##",
    "+": "..... ..#.. ..#.. ##### ..#.. ..#.. .....", "?": ".###. #...# ....# ...#. ..#.. ..... ..#..",
    " ": "..... ..... ..... ..... ..... ..... .....",
}
FONT = {ch: [[c == "#" for c in row] for row in rows.split()] for ch, rows in _GLYPHS.items()}
ADVANCE = 6  # 5 pixels of glyph and 1 of space, before scaling


class Canvas:
    def __init__(self, width: int, height: int, background: Color = WHITE) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(background) * (width * height))

    def rect(self, x0: int, y0: int, x1: int, y1: int, color: Color) -> None:
        """Fill [x0, x1) × [y0, y1), clipped to the canvas."""
        x0, x1 = max(0, min(x0, x1)), min(self.width, max(x0, x1))
        y0, y1 = max(0, min(y0, y1)), min(self.height, max(y0, y1))
        if x0 >= x1:
            return
        row = bytes(color) * (x1 - x0)
        for y in range(y0, y1):
            start = (y * self.width + x0) * 3
            self.pixels[start:start + len(row)] = row

    def text(self, x: int, y: int, text: str, color: Color = INK, scale: int = 2) -> None:
        """Upper-cased text with its top-left corner at (x, y); unknown characters draw as '?'."""
        for i, ch in enumerate(text.upper()):
            glyph = FONT.get(ch, FONT["?"])
            ox = x + i * ADVANCE * scale
            for gy, row in enumerate(glyph):
                for gx, on in enumerate(row):
                    if on:
                        self.rect(ox + gx * scale, y + gy * scale, ox + (gx + 1) * scale, y + (gy + 1) * scale,
                                  color)

    def png(self) -> bytes:
        return encode_png(self.width, self.height, bytes(self.pixels))


def text_width(text: str, scale: int = 2) -> int:
    return max(0, len(text) * ADVANCE * scale - scale)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_png(width: int, height: int, rgb: bytes) -> bytes:
    """8-bit RGB, no interlace; every scanline gets filter byte 0 (none)."""
    stride = width * 3
    raw = b"".join(b"\x00" + rgb[y * stride:(y + 1) * stride] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9))
            + _chunk(b"IEND", b""))


def stacked_bars(*, title: str, labels: Sequence[str], series: Sequence[tuple[str, Color, Sequence[int]]],
                 width: int = 800, height: int = 400) -> bytes:
    """One stacked bar per label; `series` are (name, color, one value per label), bottom first."""
    c = Canvas(width, height)
    c.text(20, 16, title)
    x = 20
    for name, color, _ in series:  # the legend
        c.rect(x, 46, x + 14, 60, color)
        c.text(x + 20, 46, name)
        x += 20 + text_width(name) + 24
    left, right, top, bottom = 70, width - 20, 84, height - 44
    totals = [sum(values[i] for _, _, values in series) for i in range(len(labels))]
    step = max(1, math.ceil(max(totals, default=0) / 4))
    ymax = step * 4
    for tick in range(0, ymax + 1, step):
        y = bottom - round(tick * (bottom - top) / ymax)
        c.rect(left, y, right, y + 1, GRID)
        label = str(tick)
        c.text(left - 10 - text_width(label), y - 7, label, AXIS)
    c.rect(left, top, left + 1, bottom + 1, AXIS)
    c.rect(left, bottom, right, bottom + 1, AXIS)
    n = max(1, len(labels))
    slot = (right - left) / n
    every = max(1, math.ceil((text_width("00-00") + 8) / slot))  # skip labels that would overlap
    for i, label in enumerate(labels):
        x0 = round(left + i * slot + slot * 0.2)
        x1 = round(left + (i + 1) * slot - slot * 0.2)
        stacked = 0
        for _, color, values in series:
            if values[i]:
                y_low = bottom - round(stacked * (bottom - top) / ymax)
                stacked += values[i]
                y_high = bottom - round(stacked * (bottom - top) / ymax)
                c.rect(x0, y_high, x1, y_low, color)
        if i % every == 0:
            mid = (x0 + x1) // 2
            c.text(mid - text_width(label) // 2, bottom + 12, label, AXIS)
    if not any(totals):
        message = "NO INCIDENTS"
        c.text((left + right - text_width(message)) // 2, (top + bottom) // 2 - 7, message, AXIS)
    return c.png()


def metrics_chart(m: Metrics, policy: Policy) -> bytes:
    """Incidents declared per week of the period, stacked by severity (most severe at the bottom)."""
    names = {s.level: s.name for s in policy.severities}
    levels = sorted({*m.by_severity, *names})
    series = [(names.get(level, f"SEV{level}"), SEVERITY_COLORS.get(level, OTHER_COLOR),
               [week.counts.get(level, 0) for week in m.weeks]) for level in levels]
    return stacked_bars(title=f"Incidents per week by severity, last {m.days} days",
                        labels=[f"{w.start:%m-%d}" for w in m.weeks], series=series)
