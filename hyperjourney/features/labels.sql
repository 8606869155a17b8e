-- Outcomes strictly inside [%(start)s, %(start)s + horizon) per surviving customer: nothing before the cutoff.
-- An order is activity (a tenant with orders only still has active customers); next_order_days has no upper
-- bound, so a reader must judge it only up to a horizon the data covers.
WITH canon AS (
    SELECT customer_id AS raw_id, coalesce(merged_into, customer_id) AS cid FROM customers
),
ev AS (
    SELECT k.cid, e.type, e.ts, c.timezone,
           e.type NOT IN ('unsubscribe', 'order_delivered', 'cart_abandoned')
               AND e.type NOT LIKE '%%\_sent' AND e.type NOT LIKE '%%\_delivered' AS active
    FROM events e
    JOIN canon k ON k.raw_id = e.customer_id
    JOIN customers c ON c.customer_id = k.cid
    WHERE e.ts >= %(start)s AND e.ts < %(start)s + %(horizon)s
),
ev_agg AS (
    SELECT cid,
        bool_or(active) AS active,
        bool_or(type IN ('upgrade', 'seat_added', 'contract_signed')) AS converted,
        bool_or(type IN ('subscription_cancelled', 'cancellation')) AS cancelled,
        bool_or(type IN ('upgrade', 'seat_added', 'contract_signed', 'demo_requested', 'meeting_booked',
                         'trial_started')) AS expanded,
        jsonb_agg(extract(hour FROM ts AT TIME ZONE timezone)::int)
            FILTER (WHERE active AND type IN ('email_open', 'email_click', 'push_open', 'sms_click', 'login',
                                              'page_view', 'product_view')) AS hours
    FROM ev GROUP BY cid
),
lines AS (
    SELECT k.cid, o.ordered_at, l.line_no, pr.category, (l.quantity * l.unit_price)::float8 AS value
    FROM orders o
    JOIN canon k ON k.raw_id = o.customer_id
    JOIN order_lines l ON l.order_id = o.order_id
    JOIN products pr ON pr.product_id = l.product_id
    WHERE o.ordered_at >= %(start)s AND o.ordered_at < %(start)s + %(value_horizon)s AND o.status <> 'cancelled'
),
next_order AS (
    SELECT k.cid, extract(epoch FROM min(o.ordered_at) - %(start)s) / 86400.0 AS days
    FROM orders o JOIN canon k ON k.raw_id = o.customer_id
    WHERE o.ordered_at >= %(start)s AND o.status <> 'cancelled'
    GROUP BY k.cid
),
ord AS (
    SELECT cid,
        bool_or(ordered_at < %(start)s + %(horizon)s) AS ordered,
        sum(value) AS spend,
        (array_agg(category ORDER BY ordered_at, line_no))[1] AS next_category,
        jsonb_agg(DISTINCT category) FILTER (WHERE ordered_at < %(start)s + %(horizon)s) AS categories
    FROM lines GROUP BY cid
)
SELECT c.customer_id,
       coalesce(ev_agg.active, false) OR coalesce(ord.ordered, false) AS active,
       coalesce(ev_agg.cancelled, false) AS cancelled,
       next_order.days::float8 AS next_order_days,
       coalesce(ev_agg.converted, false) OR coalesce(ord.ordered, false) AS purchased,
       coalesce(ev_agg.expanded, false) AS expanded,
       coalesce(ord.spend, 0) AS spend,
       ord.next_category, coalesce(ord.categories, '[]'::jsonb) AS categories,
       coalesce(ev_agg.hours, '[]'::jsonb) AS hours
FROM customers c
LEFT JOIN ev_agg ON ev_agg.cid = c.customer_id
LEFT JOIN ord ON ord.cid = c.customer_id
LEFT JOIN next_order ON next_order.cid = c.customer_id
WHERE c.merged_into IS NULL AND c.created_at < %(start)s
