-- The ten most viewed page paths (page events), ties by path.
SELECT page_path, count(*) AS page_views
FROM silver_events
WHERE event_type = 'page' AND page_path IS NOT NULL
GROUP BY page_path
ORDER BY page_views DESC, page_path
LIMIT 10
