"""Trade plans (issue 13): a day's list of intended trades from a trader's own research, its
validation, the execution modes' filter, and the intraday simulator. Pure: no database, no I/O
beyond reading the plan file the caller names."""
