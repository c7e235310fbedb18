"""The pure-Python PNG chart: a valid PNG whatever the figures, with the bars where the counts say."""

from __future__ import annotations

from bot.metrics import figures as metrics
from bot.metrics.chart import (
    SEVERITY_COLORS,
    Canvas,
    encode_png,
    metrics_chart,
    stacked_bars,
)
from bot.policy import default_policy
from tests.metrics.conftest import NOW, read_png


def _pixel(raw: bytes, width: int, x: int, y: int) -> tuple[int, int, int]:
    start = y * (1 + 3 * width) + 1 + 3 * x
    return raw[start], raw[start + 1], raw[start + 2]


def test_encode_png_round_trips_pixels() -> None:
    c = Canvas(3, 2)
    c.rect(1, 0, 2, 1, (10, 20, 30))
    c.rect(-5, 1, 99, 99, (1, 2, 3))  # clipped to the canvas
    width, height, raw = read_png(c.png())
    assert (width, height) == (3, 2)
    assert [_pixel(raw, 3, x, 0) for x in range(3)] == [(255, 255, 255), (10, 20, 30), (255, 255, 255)]
    assert [_pixel(raw, 3, x, 1) for x in range(3)] == [(1, 2, 3)] * 3
    assert read_png(encode_png(1, 1, b"\x00\x00\x00"))[:2] == (1, 1)


def test_a_bar_is_as_tall_as_its_count() -> None:
    series = [("one", (200, 0, 0), [4, 0]), ("two", (0, 0, 200), [0, 2])]
    png = stacked_bars(title="t", labels=["a", "b"], series=series,
                       width=400, height=300)
    width, height, raw = read_png(png)
    # plot from y=84 to y=256; 4 ticks of 1: the first bar (4) reaches the top, the second (2) half way
    red = [y for y in range(height) if _pixel(raw, width, 70 + 33 + 40, y) == (200, 0, 0)]
    blue = [y for y in range(height) if _pixel(raw, width, 70 + 155 + 40, y) == (0, 0, 200)]
    assert red and blue and min(red) == 84 and max(red) == 255
    assert min(blue) == 170 and max(blue) == 255


def test_metrics_chart_with_no_incidents_and_with_an_unknown_severity() -> None:
    empty = metrics.for_policy([], default_policy(), days=90, now=NOW)
    width, height, _ = read_png(metrics_chart(empty, default_policy()))
    assert (width, height) == (800, 400)
    row = metrics.Row(severity=7, declared_at=NOW, started_at=NOW)  # a level the policy no longer has
    odd = metrics.for_policy([row], default_policy(), days=30, now=NOW)
    assert odd.by_severity[7] == 1
    read_png(metrics_chart(odd, default_policy()))
    assert SEVERITY_COLORS[1] == (220, 38, 38)
