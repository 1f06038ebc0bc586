DROP TABLE audit_events; DROP TABLE tokens; DROP TABLE status_lists; DROP TABLE signing_keys; DROP TABLE workspaces;
