ALTER TABLE workspaces DROP COLUMN name;
