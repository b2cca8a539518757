#!/usr/bin/env python3
"""Summarise model_rd outputs: mean bpp and PSNR-YUV per quality, and BD-rate against the first.

    model-rd-summary.py BASE.txt OTHER.txt...   (each the stdout of tests/model/model_rd)

BD-rate: mean log-rate difference over the overlapping PSNR range, with log-rate interpolated
piecewise-linearly in PSNR (as docs/training.md reports). Negative: fewer bits than BASE.
"""
import math
import re
import sys
from collections import defaultdict

LINE = re.compile(r" q(\d+): ([0-9.]+) bpp .*?([0-9.]+) dB$")


def curve(path):
    points = defaultdict(list)
    for line in open(path):
        m = LINE.search(line.rstrip())
        if m:
            points[int(m.group(1))].append((float(m.group(2)), float(m.group(3))))
    images = {len(v) for v in points.values()}
    if len(images) != 1:
        sys.exit(f"{path}: qualities cover different numbers of images {sorted(images)}")
    return {q: (sum(b for b, _ in v) / len(v), sum(d for _, d in v) / len(v)) for q, v in sorted(points.items())}, images.pop()


def log_rate_at(points, psnr):
    for (r0, d0), (r1, d1) in zip(points, points[1:]):
        if d0 <= psnr <= d1 and d1 > d0:
            t = (psnr - d0) / (d1 - d0)
            return math.log(r0) * (1 - t) + math.log(r1) * t
    raise ValueError


def bd_rate(base, other, samples=200):
    a = sorted((r, d) for r, d in base.values())
    b = sorted((r, d) for r, d in other.values())
    lo, hi = max(a[0][1], b[0][1]), min(a[-1][1], b[-1][1])
    if hi <= lo:
        return float("nan")
    diffs = [log_rate_at(b, lo + (hi - lo) * (i + 0.5) / samples) - log_rate_at(a, lo + (hi - lo) * (i + 0.5) / samples)
             for i in range(samples)]
    return (math.exp(sum(diffs) / samples) - 1) * 100


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    base, _ = curve(sys.argv[1])
    for path in sys.argv[1:]:
        c, n = curve(path)
        cells = "  ".join(f"q{q} {r:.4f} bpp {d:.2f} dB" for q, (r, d) in c.items())
        print(f"{path} ({n} images): {cells}")
        if path != sys.argv[1]:
            print(f"  BD-rate vs {sys.argv[1]}: {bd_rate(base, c):+.1f} %")


if __name__ == "__main__":
    main()
