#!/usr/bin/env python3
"""make-digits-csv.py — writes data/digits.csv from the copy of the UCI digits that scikit-learn
distributes (Debian: python3-sklearn, sklearn/datasets/data/digits.csv.gz).

Each row of the source is 64 pixel counts 0..16 and the digit. deltaprop ships the pixels scaled
to [0, 1] (count/16, written exactly: every k/16 has a short exact decimal), as it reads the
bytes of IDX images as value/255: inputs of order 1 are what the default initialisation and
learning rates are made for. The digit stays a class index 0..9. A header line names the columns.

Usage: python3 native/make-digits-csv.py [SOURCE.csv.gz] > data/digits.csv
"""
import csv
import gzip
import sys
from fractions import Fraction

source = sys.argv[1] if len(sys.argv) > 1 else "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"


def exact(count):
    """count/16 as the shortest exact decimal (0, 0.0625, …, 1)."""
    value = Fraction(int(count), 16)
    if value.denominator == 1:
        return str(value.numerator)
    text = f"{float(value):.4f}".rstrip("0")
    assert Fraction(text) == value, (count, text)
    return text


out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow([f"pixel_{r}_{c}" for r in range(8) for c in range(8)] + ["digit"])
rows = 0
with gzip.open(source, "rt") as f:
    for row in csv.reader(f):
        assert len(row) == 65, len(row)
        out.writerow([exact(v) for v in row[:64]] + [str(int(row[64]))])
        rows += 1
assert rows == 1797, rows
