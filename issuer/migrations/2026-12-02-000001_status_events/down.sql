DROP TABLE event_head;
DROP TABLE status_events;
