#!/usr/bin/env python3
"""Summarise model_rd / latent_opt_rd outputs: mean bpp and PSNR-YUV per quality, and BD-rate
against the first file.

    model-rd-summary.py BASE.txt OTHER.txt...   (each the stdout of tests/model/model_rd or
                                                 tests/model/latent_opt_rd)
    model-rd-summary.py --bd BASE.txt OTHER.txt (prints only the mean per-image BD-rate, in %)

BD-rate: mean log-rate difference over the overlapping PSNR range, with log-rate interpolated
piecewise-linearly in PSNR (as docs/training.md reports), computed per image and averaged
(images present in both files). Negative: fewer bits than BASE.
"""
import math
import re
import sys
from collections import defaultdict

# "IMAGE qQ: R bpp ... P dB": the first dB figure after the rate is the decoder's picture.
LINE = re.compile(r"^(\S+) q(\d+): ([0-9.]+) bpp .*?([0-9.]+) dB")


def curves(path):
    """{image: {quality: (bpp, dB)}}"""
    out = defaultdict(dict)
    for line in open(path):
        m = LINE.search(line.rstrip())
        if m:
            out[m.group(1)][int(m.group(2))] = (float(m.group(3)), float(m.group(4)))
    return out


def log_rate_at(points, psnr):
    for (r0, d0), (r1, d1) in zip(points, points[1:]):
        if d0 <= psnr <= d1 and d1 > d0:
            t = (psnr - d0) / (d1 - d0)
            return math.log(r0) * (1 - t) + math.log(r1) * t
    return None


def bd_rate(base, other, samples=200):
    a = sorted(base, key=lambda p: p[1])
    b = sorted(other, key=lambda p: p[1])
    lo, hi = max(a[0][1], b[0][1]), min(a[-1][1], b[-1][1])
    if hi <= lo:
        return None
    diffs = []
    for i in range(samples):
        d = lo + (hi - lo) * (i + 0.5) / samples
        x, y = log_rate_at(a, d), log_rate_at(b, d)
        if x is None or y is None:
            return None
        diffs.append(y - x)
    return (math.exp(sum(diffs) / samples) - 1) * 100


def mean_bd(base, other):
    values = [bd_rate(list(base[i].values()), list(other[i].values()))
              for i in base if i in other and len(other[i]) == len(base[i]) and len(base[i]) >= 2]
    values = [v for v in values if v is not None]
    return (sum(values) / len(values), len(values)) if values else (float("nan"), 0)


def main():
    args = sys.argv[1:]
    only_bd = args[:1] == ["--bd"]
    if only_bd:
        args = args[1:]
    if len(args) < 1 or (only_bd and len(args) != 2):
        sys.exit(__doc__)
    base = curves(args[0])
    if only_bd:
        print(f"{mean_bd(base, curves(args[1]))[0]:.2f}")
        return
    for path in args:
        c = curves(path)
        qualities = sorted({q for image in c.values() for q in image})
        cells = "  ".join(
            f"q{q} {sum(c[i][q][0] for i in c if q in c[i]) / max(1, sum(q in c[i] for i in c)):.4f} bpp "
            f"{sum(c[i][q][1] for i in c if q in c[i]) / max(1, sum(q in c[i] for i in c)):.2f} dB"
            for q in qualities)
        print(f"{path} ({len(c)} images): {cells}")
        if path != args[0]:
            bd, n = mean_bd(base, c)
            print(f"  BD-rate vs {args[0]}: {bd:+.2f} % (mean over {n} images)")


if __name__ == "__main__":
    main()
