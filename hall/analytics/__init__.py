"""Analytics: the KPIs over the hall's records, leaderboards and exports (read-only)."""
