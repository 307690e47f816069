"""The synthetic hiring history behind ``manage.py generate_load_data`` and the benchmarks.

``vocabulary``: the words and shares the history is drawn from (names,
evidence, summaries, role shares, sources). ``staff``: what exists before
generating (the newest rubric of every role, the generated ``load-...``
people) and the limits on a run. ``history``: ``HistoryGenerator``, which
turns a seeded ``random.Random`` into the rows of a chunk of loops.
``writers``: those rows per table and the two ways of saving them, ``COPY``
on PostgreSQL and ``bulk_create`` elsewhere.

The benchmarks (``bench/targets.py``) reuse the rows and writers to set up
their own interviews; the command owns the options, the transaction and the
output.
"""
