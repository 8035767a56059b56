-- A temporary password set by an admin (server/src/staff/users.rs): 1 until the person has chosen
-- their own at /staff/account/password, which every other staff page sends them to meanwhile.
-- Portable SQL: runs unchanged on SQLite and PostgreSQL.
ALTER TABLE staff_user ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
