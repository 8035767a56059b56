-- An account that has not set up its authenticator app may do so only until enrol_before (Unix
-- seconds): set when the account is created, its second factor reset or a temporary password
-- set (server/src/staff/identity/users.rs). After it, the password alone no longer lets anyone
-- enrol an app: an administrator must reset the account. NULL (accounts from before this
-- migration): no deadline. Portable SQL: runs unchanged on SQLite and PostgreSQL.
ALTER TABLE staff_user ADD COLUMN enrol_before BIGINT;
