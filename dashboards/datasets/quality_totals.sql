-- Per UTC ingestion day, the row accounting: received = quarantined + accepted + duplicates.
SELECT ingest_date, rule AS outcome, `rows`
FROM gold_quality_daily
WHERE rule IN ('received', 'quarantined', 'accepted', 'duplicates')
ORDER BY ingest_date, outcome
