"""stats.nba.com: seasons, the polite client, the response format, and stand-ins for it
(a replay server and a synthetic league) for tests and air-gapped runs."""
