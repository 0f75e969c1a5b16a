-- Per UTC day: orders (Order Completed events) and revenue.
SELECT event_date, orders, revenue
FROM gold_daily_metrics
ORDER BY event_date
