-- The ten pages sessions most often start on, with how many of those sessions ordered.
SELECT
  entry_path,
  count(*) AS sessions,
  count_if(converted) AS converted_sessions
FROM gold_sessions
WHERE entry_path IS NOT NULL
GROUP BY entry_path
ORDER BY sessions DESC, entry_path
LIMIT 10
