-- Per UTC ingestion day, the parts of the rows received: accepted + quarantined + duplicates
-- removed. Stacked, they add up to the day's received rows (Bronze), each row counted once.
SELECT ingest_date, rule AS outcome, `rows`
FROM gold_quality_daily
WHERE rule IN (${QUALITY_ACCEPTED}, ${QUALITY_QUARANTINED}, ${QUALITY_DUPLICATES})
ORDER BY
  ingest_date,
  array_position(array(${QUALITY_ACCEPTED}, ${QUALITY_QUARANTINED}, ${QUALITY_DUPLICATES}), rule)
