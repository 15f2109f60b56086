"""paperdesk: a paper-trading platform with one engine for backtest, walk-forward and live."""
