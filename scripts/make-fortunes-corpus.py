#!/usr/bin/env python3
"""Build the English corpus data/fortunes.txt.gz from Debian's `fortunes` package.

Usage:
    sudo apt-get install fortunes        # fortunes 1:1.99.1-7.3 (pulls in fortunes-min)
    python3 scripts/make-fortunes-corpus.py [--source DIR] [--out FILE]

DIR defaults to /usr/share/games/fortunes and FILE to data/fortunes.txt.gz next to this
script's folder. Python 3 standard library only.

The corpus is the one ../shared/REFERENCE.md ran the original word2vec C tool on:

- Input: every plain-text fortune file in DIR, in ordinal order of file name: regular files
  only, so not the `*.u8` symlinks (they point at the same files) and not the `*.dat` indexes
  that strfile writes. With `fortunes` and `fortunes-min` installed that is 43 files. The
  offensive fortunes (package `fortunes-off`, folder `off/`) are not read: the folder is not
  searched.
- Fortunes are separated by lines consisting of `%` alone; a trailing fortune without a final
  `%` counts too.
- Overstrikes are applied like a terminal would: a backspace erases the character before it
  (on the same line). The files use them for underlining (`___\\b\\b\\band`) and accents
  (`Honor'\\be`, i.e. Honore); applying them is what reproduces REFERENCE.md's figures
  (446,610 words; without it there are 446,646, with "honor e" as two words).
- Each fortune is lower-cased (ASCII), every character outside a-z and 0-9 becomes a space,
  and its words are written on one line separated by single spaces. Fortunes with no word
  left (pure ASCII art) are dropped.

The output is gzip with mtime 0 and no file name, so it is byte-for-byte reproducible. The
script prints the counts that data/README.md and the tests quote: files, fortunes, lines,
words, distinct words, vocabulary at min-count 5, and the sha256 of the file.
"""

import argparse
import collections
import gzip
import hashlib
import os
import sys

DEFAULT_SOURCE = "/usr/share/games/fortunes"
MIN_COUNT = 5


def fortune_files(source):
    """The plain-text fortune files of source: regular files, not symlinks, not .dat indexes."""
    if not os.path.isdir(source):
        sys.exit(f"{source} is not a folder; install the package: sudo apt-get install fortunes")
    names = []
    for name in sorted(os.listdir(source)):
        path = os.path.join(source, name)
        if name.endswith(".dat") or os.path.islink(path) or not os.path.isfile(path):
            continue
        names.append(name)
    if not names:
        sys.exit(f"{source} holds no fortune files")
    return names


def apply_backspaces(line):
    """Each backspace erases the character before it, as on a terminal."""
    if "\b" not in line:
        return line
    out = []
    for ch in line:
        if ch == "\b":
            if out:
                out.pop()
        else:
            out.append(ch)
    return "".join(out)


# ASCII letters lower-cased, digits kept, everything else (punctuation, control characters,
# any non-ASCII character) a space.
_KEEP = {c: c for c in "abcdefghijklmnopqrstuvwxyz0123456789"}
_KEEP.update({c.upper(): c for c in "abcdefghijklmnopqrstuvwxyz"})


def clean(text):
    return "".join(_KEEP.get(ch, " ") for ch in text).split()


def fortunes_of(path):
    """The fortunes of one file, each as a list of raw lines (backspaces applied)."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        sys.exit(f"{path}: not UTF-8 ({e})")
    current = []
    for line in text.split("\n"):
        if line == "%":
            yield current
            current = []
        else:
            current.append(apply_backspaces(line))
    if any(line.strip() for line in current):
        yield current


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", default=DEFAULT_SOURCE, help="folder of fortune files")
    parser.add_argument("--out", default=os.path.join(here, "..", "data", "fortunes.txt.gz"))
    args = parser.parse_args()

    names = fortune_files(args.source)
    fortunes = 0
    lines = []
    counts = collections.Counter()
    for name in names:
        for fortune in fortunes_of(os.path.join(args.source, name)):
            fortunes += 1
            words = clean("\n".join(fortune))
            if words:
                lines.append(" ".join(words))
                counts.update(words)

    payload = ("\n".join(lines) + "\n").encode("ascii")
    out = os.path.normpath(args.out)
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        # mtime 0 and an empty file name in the header: the bytes depend on the text alone.
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, compresslevel=9, mtime=0) as gz:
            gz.write(payload)
    os.replace(tmp, out)

    with open(out, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    words = sum(counts.values())
    vocab = sum(1 for n in counts.values() if n >= MIN_COUNT)
    kept = sum(n for n in counts.values() if n >= MIN_COUNT)
    print(f"files:                {len(names)}")
    print(f"fortunes:             {fortunes}")
    print(f"lines (non-empty):    {len(lines)}")
    print(f"words:                {words}")
    print(f"distinct words:       {len(counts)}")
    print(f"vocabulary, count>={MIN_COUNT}: {vocab} (+1 for word2vec's </s>: {vocab + 1}), "
          f"covering {kept} words")
    print(f"text bytes:           {len(payload)}")
    print(f"wrote {out}: {os.path.getsize(out)} bytes, sha256 {digest}")


if __name__ == "__main__":
    main()
