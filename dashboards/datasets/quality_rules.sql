-- Per UTC ingestion day, rows quarantined by each Silver rule (a row failing two rules counts
-- under both).
SELECT ingest_date, rule, `rows`
FROM gold_quality_daily
WHERE rule NOT IN ('received', 'quarantined', 'accepted', 'duplicates')
ORDER BY ingest_date, rule
