-- The figures that open the dashboard, over every day: events accepted into Silver, people (the
-- stitched identities of gold_sessions), sessions, the share of sessions with an order, revenue.
WITH event_totals AS (
  SELECT count(*) AS events FROM silver_events
),
session_totals AS (
  SELECT count(DISTINCT user_key) AS people, count(*) AS sessions, count_if(converted) AS converted
  FROM gold_sessions
),
revenue_totals AS (
  SELECT coalesce(sum(revenue), 0) AS revenue FROM gold_daily_metrics
)
SELECT
  e.events,
  s.people,
  s.sessions,
  try_divide(s.converted, s.sessions) AS session_conversion,
  r.revenue
FROM event_totals AS e
CROSS JOIN session_totals AS s
CROSS JOIN revenue_totals AS r
