-- A list's rebuild after a revocation reads the log's events for that list since the version it
-- holds (a few rows) instead of every revoked index of the list.
CREATE INDEX status_events_by_list ON status_events (list, version);
