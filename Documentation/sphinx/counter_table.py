# SPDX-License-Identifier: GPL-2.0
"""The module's counter table, as ``rust/host`` prints it (Python's standard library only).

The table (``counters!`` in ``rust/rst_ext.rs``) is printed by ``cargo run --bin counters``, one
``Name<TAB>meaning<TAB>kind<TAB>kernel`` line per counter.  ``load(path)`` reads that output from
``path`` (a file written by scripts/docs.sh or scripts/monitoring.sh), or, with no path, runs
``$CARGO`` (default ``cargo``) to print it.  The Sphinx extension (rst_ext_counters.py) and the
rule check (scripts/monitoring_names.py) both read it here.
"""

import os
import subprocess

PREFIX = 'MPTcpRstExt'
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def load(path=''):
    """The table, as a list of (name, meaning, kind, kernel), and the file it came from."""
    if path:
        path = os.path.abspath(path)
        with open(path, encoding='utf-8') as f:
            text = f.read()
        source = path
    else:
        cargo = os.environ.get('CARGO', 'cargo')
        manifest = os.path.join(REPO, 'rust', 'host', 'Cargo.toml')
        text = subprocess.run(
            [cargo, 'run', '-q', '--manifest-path', manifest, '--bin', 'counters'],
            check=True, capture_output=True, text=True).stdout
        source = os.path.join(REPO, 'rust', 'rst_ext.rs')
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        cols = line.split('\t')
        cols += [''] * (4 - len(cols))
        rows.append(tuple(cols[:4]))
    return rows, source
