# SPDX-License-Identifier: GPL-2.0
"""Sphinx directives over the module's counter table.

The table (``counters!`` in ``rust/rst_ext.rs``) is the single truth for the
counters' names, order, one-line meanings and kinds.  ``rust/host`` prints it,
one ``Name<TAB>meaning<TAB>kind<TAB>kernel`` line per counter (``cargo run --bin
counters``); scripts/docs.sh passes that output in ``RST_EXT_COUNTERS``.
Without it, the table is printed with ``$CARGO`` (default ``cargo``); counter_table.py
reads it either way.

``.. rst-ext-counter-table::`` [``:kind: cause``]
    A table of the counters (of one kind), in table order: each name links to
    its section of the reference (label ``counter-<Name>``), so a counter
    without a section is an undefined-label warning.

``.. rst-ext-counter:: Name``
    The table's line for one counter: its nstat id, kind and meaning.  A name
    that is not in the table is a warning.

With ``sphinx-build -W`` (scripts/docs.sh), either warning fails the build.
"""

import os

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

import counter_table
from counter_table import PREFIX

logger = logging.getLogger(__name__)
_cache = {}


def _load(env):
    """The table, as a list of (name, meaning, kind, kernel), and the file it came from."""
    path = env.config.rst_ext_counters
    key = os.path.abspath(path) if path else '<cargo>'
    if key not in _cache:
        _cache[key] = counter_table.load(path)
    return _cache[key]


def _meaning(text):
    """The meaning as inline nodes: `code` spans of the doc comment become literals."""
    out = []
    for i, part in enumerate(text.split('`')):
        if part:
            out.append(nodes.literal(part, part) if i % 2 else nodes.Text(part))
    return out


def _ref(name):
    ref = addnodes.pending_xref('', refdomain='std', reftype='ref',
                                reftarget='counter-' + name.lower(),
                                refexplicit=True, refwarn=True)
    ref += nodes.literal(name, name)
    return ref


class CounterTable(SphinxDirective):
    has_content = False
    option_spec = {'kind': directives.unchanged}

    def run(self):
        rows, source = _load(self.env)
        self.env.note_dependency(source)
        kind = self.options.get('kind')
        if kind:
            rows = [r for r in rows if r[2] == kind]
            if not rows:
                logger.warning('no counter of kind %r in the counter table', kind,
                               location=self.get_location())
        table = nodes.table(classes=['rst-ext-counters'])
        group = nodes.tgroup(cols=2)
        table += group
        group += nodes.colspec(colwidth=25)
        group += nodes.colspec(colwidth=75)
        head = nodes.thead()
        group += head
        row = nodes.row()
        for title in ('counter', 'meaning (from the counter table)'):
            row += nodes.entry('', nodes.paragraph(title, title))
        head += row
        body = nodes.tbody()
        group += body
        for name, meaning, _, _ in rows:
            row = nodes.row()
            row += nodes.entry('', nodes.paragraph('', '', _ref(name)))
            row += nodes.entry('', nodes.paragraph('', '', *_meaning(meaning)))
            body += row
        return [table]


class Counter(SphinxDirective):
    required_arguments = 1
    has_content = False

    def run(self):
        rows, source = _load(self.env)
        self.env.note_dependency(source)
        name = self.arguments[0]
        for n, meaning, kind, kernel in rows:
            if n == name:
                break
        else:
            logger.warning('%s is not in the counter table (counters! in rust/rst_ext.rs)',
                           name, location=self.get_location())
            return []
        fields = nodes.field_list()
        if kernel and kernel != '-':
            twin = [nodes.literal('MPTcpExt' + kernel, 'MPTcpExt' + kernel),
                    nodes.Text(' counts exactly the same resets, where the kernel has it '
                               '(the self-check compares them)')]
        else:
            twin = [nodes.Text('none')]
        for label, value in (('nstat', [nodes.literal(PREFIX + name, PREFIX + name)]),
                             ('kind', [nodes.Text(kind or '-')]),
                             ('kernel', twin),
                             ('table', _meaning(meaning))):
            field = nodes.field()
            field += nodes.field_name(label, label)
            field += nodes.field_body('', nodes.paragraph('', '', *value))
            fields += field
        return [fields]


def setup(app):
    app.add_config_value('rst_ext_counters', os.environ.get('RST_EXT_COUNTERS', ''), 'env')
    app.add_directive('rst-ext-counter-table', CounterTable)
    app.add_directive('rst-ext-counter', Counter)
    return {'version': '1', 'parallel_read_safe': True, 'parallel_write_safe': True}
