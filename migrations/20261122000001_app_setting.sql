-- Settings the application keeps about itself (e.g. which demo data or search index version is
-- loaded). Portable SQL: runs unchanged on SQLite and PostgreSQL.
CREATE TABLE app_setting (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
