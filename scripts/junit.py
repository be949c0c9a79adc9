#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The results of make check as JUnit XML, for CI pages that show test reports.

  scripts/junit.py out/summary.txt >out/junit.xml

Reads the summary's TAP lines ("ok - NAME", "not ok - NAME # DETAIL",
"ok - NAME # SKIP REASON", "not ok - NAME # TODO REASON"): one testcase
each, in a testsuite per test kernel (the name's first field, "6.12-normal:";
"host" for the checks before any kernel), a TODO as skipped.
"""
import re
import sys
from xml.sax.saxutils import quoteattr

LINE = re.compile(r"^(not )?ok - (.*?)(?: # (SKIP|TODO)\b ?(.*))?$")


def main(path):
    suites = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = LINE.match(line.rstrip("\n"))
            if not m:
                continue
            failed, name, directive, reason = m.group(1), m.group(2), m.group(3), m.group(4)
            suite, _, case = name.partition(": ")
            if not case or not re.match(r"^[0-9.]+-[a-z]+$", suite):
                suite, case = "host", name
            detail = ""
            if failed and not directive and " # " in case:
                case, detail = case.split(" # ", 1)
            suites.setdefault(suite, []).append((case, bool(failed) and not directive, directive, reason or detail))
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>"]
    for suite, cases in suites.items():
        nfail = sum(1 for c in cases if c[1])
        nskip = sum(1 for c in cases if c[2])
        out.append(f"  <testsuite name={quoteattr(suite)} tests=\"{len(cases)}\" "
                   f"failures=\"{nfail}\" skipped=\"{nskip}\">")
        for case, fail, directive, reason in cases:
            out.append(f"    <testcase classname={quoteattr(suite)} name={quoteattr(case)}>")
            if fail:
                out.append(f"      <failure message={quoteattr(reason or 'not ok')}/>")
            elif directive:
                out.append(f"      <skipped message={quoteattr(f'{directive} {reason}'.strip())}/>")
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
