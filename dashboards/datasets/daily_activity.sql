-- Per UTC day: active users, sessions started, sessions with an order, and session conversion.
WITH converted AS (
  SELECT
    -- The UTC date of session_start whatever the session time zone (as gold_daily_metrics).
    date_from_unix_date(CAST(floor(unix_micros(session_start) / 86400000000) AS INT)) AS event_date,
    count_if(converted) AS converted_sessions
  FROM gold_sessions
  GROUP BY 1
)
SELECT
  m.event_date,
  m.active_users,
  m.sessions,
  coalesce(c.converted_sessions, 0) AS converted_sessions,
  try_divide(coalesce(c.converted_sessions, 0), m.sessions) AS session_conversion
FROM gold_daily_metrics AS m
LEFT JOIN converted AS c ON c.event_date = m.event_date
ORDER BY m.event_date
