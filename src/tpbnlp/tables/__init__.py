"""Tables in and out: formats, encodings, readers and writers.

Import from the modules; this package module imports nothing, so that the
command line can read the format lists without loading pandas.

* :mod:`~tpbnlp.tables.formats` — format names and extensions (imports no pandas);
* :mod:`~tpbnlp.tables.encoding` — which encoding a text file is in;
* :mod:`~tpbnlp.tables.columns` — the header row and the opinion column;
* :mod:`~tpbnlp.tables.read` — one reader per input format, each returning a :class:`Table`;
* :mod:`~tpbnlp.tables.write` — one crash-safe writer per output format, for tagged tables and reports.
"""
