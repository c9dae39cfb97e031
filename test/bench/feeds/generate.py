#!/usr/bin/env python3
"""Benchmark inputs for bench_feeds.sh (no network).

  generate.py epss OUT.csv ROWS          an EPSS file shaped like FIRST's: the #model_version line,
                                         cve,epss,percentile, some scores in scientific notation;
                                         also OUT.copy.csv, the same rows without the comment line
                                         (what a plain COPY reads)
  generate.py nvd OUT.json MINBYTES SRC...   an NVD 2.0 feed of at least MINBYTES, pretty-printed
                                         like NVD's (CRLF), made by replicating the real records of
                                         the SRC feed files under new ids CVE-2098-NNNNNN
"""
import gzip
import json
import random
import sys


def epss(out, rows):
    rnd = random.Random(4)
    with open(out, "w") as f, open(out.replace(".csv", ".copy.csv"), "w") as g:
        f.write("#model_version:v2026.06.15,score_date:2026-11-27T00:00:00+0000\n")
        f.write("cve,epss,percentile\n")
        g.write("cve,epss,percentile\n")
        for i in range(rows):
            score = rnd.random() ** 6
            s = ("%.0e" % score) if score < 1e-4 else ("%.5f" % score)
            line = "CVE-%d-%05d,%s,%.5f\n" % (1999 + i % 27, i, s, min(1.0, i / rows))
            f.write(line)
            g.write(line)


def nvd(out, minbytes, sources):
    items = []
    for src in sources:
        opener = gzip.open if src.endswith(".gz") else open
        with opener(src, "rt", encoding="utf-8") as f:
            items.extend(json.load(f)["vulnerabilities"])
    pieces = [json.dumps(v, indent=2, separators=(",", " : "), ensure_ascii=False) for v in items]
    avg = sum(len(p) for p in pieces) / len(pieces)
    count = int(minbytes / avg * 1.02) + 1
    head = ('{\r\n  "resultsPerPage" : %d,\r\n  "startIndex" : 0,\r\n  "totalResults" : %d,\r\n'
            '  "format" : "NVD_CVE",\r\n  "version" : "2.0",\r\n  "timestamp" : "2026-11-27T00:00:00.000",\r\n'
            '  "vulnerabilities" : [ ' % (count, count))
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write(head)
        for i in range(count):
            v = items[i % len(items)]
            old = v["cve"]["id"]
            text = pieces[i % len(pieces)].replace('"%s"' % old, '"CVE-2098-%06d"' % i, 1)
            if i:
                f.write(", ")
            f.write(text.replace("\n", "\r\n"))
        f.write(" ]\r\n}\r\n")
    print(count)


if __name__ == "__main__":
    if sys.argv[1] == "epss":
        epss(sys.argv[2], int(sys.argv[3]))
    else:
        nvd(sys.argv[2], int(sys.argv[3]), sys.argv[4:])
