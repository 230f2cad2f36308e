"""Call sessions, framework-free: what statuses and reasons mean (catalog), table rows and their
diff, filters and sorting, the figures strip and sparkline (stats), export, and one session's detail."""
