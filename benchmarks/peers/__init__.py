"""The pieces of ``benchmarks/bench_peers.py``: paperdesk against its peers in one run (issue 14).

``figures`` holds the pure arithmetic (medians, values, ratios, targets), ``process`` runs one
measured side in a fresh process, ``rows`` names the comparisons, and ``backtests``,
``storage`` and ``live`` hold each side's measured work.
"""
