-- The e-commerce funnel over every day: events per step, conversion from the previous step
-- (step_conversion; none for the first step) and from the first step (overall_conversion).
-- step_label ("1. Product Viewed") sorts in funnel order on every renderer.
WITH totals AS (
  SELECT
    coalesce(sum(product_viewed), 0) AS product_viewed,
    coalesce(sum(product_added), 0) AS product_added,
    coalesce(sum(checkout_started), 0) AS checkout_started,
    coalesce(sum(orders), 0) AS orders
  FROM gold_daily_metrics
),
steps AS (
  SELECT 1 AS step_order, ${PRODUCT_VIEWED} AS step, product_viewed AS events FROM totals
  UNION ALL SELECT 2, ${PRODUCT_ADDED}, product_added FROM totals
  UNION ALL SELECT 3, ${CHECKOUT_STARTED}, checkout_started FROM totals
  UNION ALL SELECT 4, ${ORDER_COMPLETED}, orders FROM totals
)
SELECT
  step_order,
  step,
  concat(CAST(step_order AS STRING), '. ', step) AS step_label,
  events,
  try_divide(events, lag(events) OVER (ORDER BY step_order)) AS step_conversion,
  try_divide(events, first_value(events) OVER (ORDER BY step_order)) AS overall_conversion
FROM steps
ORDER BY step_order
