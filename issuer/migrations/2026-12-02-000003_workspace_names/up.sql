-- Workspaces provisioned over the platform API carry a display name.
ALTER TABLE workspaces ADD COLUMN name TEXT;
