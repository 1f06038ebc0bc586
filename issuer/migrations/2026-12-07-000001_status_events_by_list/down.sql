DROP INDEX status_events_by_list;
