ALTER TABLE status_lists DROP COLUMN perm_key;
