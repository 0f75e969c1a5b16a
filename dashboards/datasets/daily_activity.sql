-- Per UTC day: active users, sessions started, sessions with an order, orders and revenue, and
-- whether the data covers the whole day (`day`). The first and last day of the data usually do
-- not (the feed started or is still arriving): their counts are partial, so their session
-- conversion is left out (null) rather than shown as a dip or a spike.
WITH span AS (
  -- Activity events lie between the first session's start and the last session's end.
  SELECT unix_micros(min(session_start)) AS first_us, unix_micros(max(session_end)) AS last_us
  FROM gold_sessions
),
converted AS (
  SELECT
    -- The UTC date of session_start whatever the session time zone (as gold_daily_metrics).
    date_from_unix_date(CAST(floor(unix_micros(session_start) / 86400000000) AS INT)) AS event_date,
    count_if(converted) AS converted_sessions
  FROM gold_sessions
  GROUP BY 1
),
days AS (
  SELECT
    m.*,
    coalesce(c.converted_sessions, 0) AS converted_sessions,
    s.first_us <= unix_date(m.event_date) * 86400000000
      AND s.last_us >= (unix_date(m.event_date) + 1) * 86400000000 - 1 AS whole_day
  FROM gold_daily_metrics AS m
  LEFT JOIN converted AS c ON c.event_date = m.event_date
  CROSS JOIN span AS s
)
SELECT
  event_date,
  CASE WHEN whole_day THEN 'whole day' ELSE 'partial day' END AS day,
  active_users,
  sessions,
  converted_sessions,
  CASE WHEN whole_day THEN try_divide(converted_sessions, sessions) END AS session_conversion,
  orders,
  revenue
FROM days
ORDER BY event_date
