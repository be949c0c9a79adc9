#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks that a Prometheus rule file names only counters of the counter table.

  scripts/monitoring_names.py [--table COUNTERS.TSV] RULES.yml

The table is the one of ``counters!`` in rust/rst_ext.rs, read by
Documentation/sphinx/counter_table.py (the Sphinx extension's reader): from
--table (or $RST_EXT_COUNTERS), the output of ``cargo run --bin counters``,
else printed with $CARGO.  In the rule file (expressions, annotations and
comments alike):

* every ``MPTcpRstExt_<Name>`` and ``MPTcpRstExt<Name>`` that is not part of
  a regular expression names a counter of the table;
* every selector with a ``__name__`` matcher on ``MPTcpRstExt`` selects at
  least one counter (its matchers are evaluated against
  ``node_netstat_MPTcpRstExt_<Name>`` of every counter, as Prometheus does:
  fully anchored), and the selectors of the rules in SELECTS select exactly
  the counters of their kinds;
* every ``runbook_url`` anchor (``PAGE.html#ANCHOR``) is a label of
  Documentation/PAGE.rst, for every cause where it is
  ``{{ $labels.cause | toLower }}``.

Prints one line of what it checked; exit status 1 and one line per problem
otherwise.
"""

import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DOCS = os.path.join(REPO, 'Documentation')
sys.path.insert(0, os.path.join(DOCS, 'sphinx'))

import counter_table  # noqa: E402  (the Sphinx extension's reader of the table)

METRIC = 'node_netstat_' + counter_table.PREFIX + '_'
# The recording rules whose selectors must take exactly the counters of these kinds.
SELECTS = {
    'mptcp_rst_ext:cause_resets_total:relabel': {'cause'},
    'mptcp_rst_ext:code_resets_total:relabel': {'tx', 'rx'},
}
# A name, not followed by what would make it part of a regular expression
# (a metric name may be followed by { or [: matchers, a range).
NAME = re.compile(counter_table.PREFIX + r'_?([A-Za-z0-9]+)(?![\w(|*+?\\]|\.[*+?])')
RULE = re.compile(r'^\s*- (?:record|alert):\s*(\S+)', re.M)
SELECTOR = re.compile(r'\{([^{}]*)\}')
MATCHER = re.compile(r'(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')
RUNBOOK = re.compile(r'runbook_url:\s*(?:"([\w-]+)\.html#([^"]*)"|([\w-]+)\.html#(\S+))')
LABEL = re.compile(r'^\.\. _([^:]+):\s*$', re.M)
CAUSE_TEMPLATE = '{{ $labels.cause | toLower }}'


def matches(op, pattern, value):
    if op == '=':
        return value == pattern
    if op == '!=':
        return value != pattern
    hit = re.fullmatch(pattern, value) is not None
    return hit if op == '=~' else not hit


def anchor(label):
    """The HTML id docutils makes of a label."""
    return re.sub(r'[^a-z0-9]+', '-', label.lower()).strip('-')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--table', default=os.environ.get('RST_EXT_COUNTERS', ''))
    ap.add_argument('rules')
    args = ap.parse_args()

    rows, _ = counter_table.load(args.table)
    kinds = {name: kind for name, _, kind, _ in rows}
    with open(args.rules, encoding='utf-8') as f:
        text = f.read()
    rules = [(m.start(), m.group(1)) for m in RULE.finditer(text)]

    def rule_at(pos):
        owner = '(before any rule)'
        for start, name in rules:
            if start > pos:
                break
            owner = name
        return owner

    problems = []
    named = set()
    for m in NAME.finditer(text):
        named.add(m.group(1))
        if m.group(1) not in kinds:
            problems.append('%s: %s is not a counter of the table (rust/rst_ext.rs)'
                            % (rule_at(m.start()), m.group(0)))

    selected = {}
    for m in SELECTOR.finditer(text):
        matchers = [(op, pat.replace('\\\\', '\\'))
                    for label, op, pat in MATCHER.findall(m.group(1)) if label == '__name__']
        if not any(counter_table.PREFIX in pat for op, pat in matchers if op in ('=', '=~')):
            continue
        owner = rule_at(m.start())
        got = {name for name in kinds
               if all(matches(op, pat, METRIC + name) for op, pat in matchers)}
        if not got:
            problems.append('%s: {%s} selects no counter of the table'
                            % (owner, ' '.join(m.group(1).split())))
        selected[owner] = selected.get(owner, set()) | got
    for owner, want_kinds in SELECTS.items():
        if owner not in selected:
            problems.append('%s: no such rule, or no selector of the counters in it' % owner)
            continue
        want = {name for name, kind in kinds.items() if kind in want_kinds}
        for what, diff in (('misses', want - selected[owner]),
                           ('also takes', selected[owner] - want)):
            if diff:
                problems.append('%s: its selector %s %s (kinds: %s)'
                                % (owner, what, ' '.join(sorted(diff)),
                                   ' '.join(sorted(want_kinds))))

    anchors = 0
    labels = {}
    for m in RUNBOOK.finditer(text):
        page, target = m.group(1, 2) if m.group(1) else m.group(3, 4)
        if page not in labels:
            try:
                with open(os.path.join(DOCS, page + '.rst'), encoding='utf-8') as f:
                    labels[page] = {anchor(label) for label in LABEL.findall(f.read())}
            except OSError:
                labels[page] = None
        if labels[page] is None:
            problems.append('%s: runbook_url %s.html: no Documentation/%s.rst'
                            % (rule_at(m.start()), page, page))
            continue
        if CAUSE_TEMPLATE in target:
            targets = [target.replace(CAUSE_TEMPLATE, name.lower())
                       for name, kind in kinds.items() if kind == 'cause']
        elif '{{' in target:
            problems.append('%s: runbook_url anchor %s: a template this check cannot expand'
                            % (rule_at(m.start()), target))
            continue
        else:
            targets = [target]
        for t in targets:
            anchors += 1
            if t not in labels[page]:
                problems.append('%s: runbook_url %s.html#%s: no such label in Documentation/%s.rst'
                                % (rule_at(m.start()), page, t, page))

    for p in problems:
        print('monitoring_names: %s: %s' % (args.rules, p))
    if problems:
        return 1
    selectors = ', '.join('%s: the %d %s' % (owner, len(selected[owner]), '+'.join(sorted(k)))
                          for owner, k in SELECTS.items())
    print('%d counters named (%s); selectors %s; %d runbook anchors in Documentation/'
          % (len(named), ' '.join(sorted(named)), selectors, anchors))
    return 0


if __name__ == '__main__':
    sys.exit(main())
