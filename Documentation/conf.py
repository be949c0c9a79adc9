# SPDX-License-Identifier: GPL-2.0
# Sphinx configuration of the mptcp_rst_ext documentation.
# Build it with `make docs` (scripts/docs.sh): HTML in out/docs/html, every
# warning an error.  The counter lists come from the counter table through
# sphinx/rst_ext_counters.py.

import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(here)
sys.path.insert(0, os.path.join(here, 'sphinx'))

project = 'mptcp_rst_ext'
author = 'mptcp_rst_ext developers'
# The module's version (scripts/version.sh: git describe, or VERSION).
release = subprocess.run(['sh', os.path.join(repo, 'scripts', 'version.sh'), repo],
                         capture_output=True, text=True).stdout.strip()
version = release

extensions = ['rst_ext_counters']
root_doc = 'index'
exclude_patterns = ['_build', 'sphinx']
# Literal blocks are diagrams, shell and proc files: no guessing a lexer.
highlight_language = 'none'

html_theme = 'alabaster'
html_title = f'{project} {release}'
html_show_sourcelink = False
