-- Quarantined rows over every ingestion day: first all of them, each row once; then, per Silver
-- rule, the rows that failed it. A row failing two rules is in both rule bars, so the rule bars
-- may add up to more than the first; none is taller than it.
SELECT 'all quarantined rows' AS bar, coalesce(sum(`rows`), 0) AS `rows`
FROM gold_quality_daily
WHERE rule = ${QUALITY_QUARANTINED}
UNION ALL
SELECT concat('failed ', rule) AS bar, sum(`rows`) AS `rows`
FROM gold_quality_daily
WHERE rule NOT IN (${QUALITY_TOTALS})
GROUP BY rule
ORDER BY `rows` DESC, bar
