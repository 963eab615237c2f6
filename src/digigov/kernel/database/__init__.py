"""Django's PostgreSQL backend with a health check that costs no round trip (ENGINE
"digigov.kernel.database", set by the settings for a postgres:// DATABASE_URL)."""
