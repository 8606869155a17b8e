-- Raw per-customer aggregates as of %(as_of)s, for the surviving profiles in %(ids)s (NULL: everyone).
-- Only rows strictly before as_of are read, so the same query builds point-in-time training sets.
-- Merged duplicate profiles count toward the profile they were merged into.
WITH canon AS (
    SELECT customer_id AS raw_id, coalesce(merged_into, customer_id) AS cid FROM customers
),
people AS (
    SELECT c.customer_id AS cid, c.account_id, c.industry, c.timezone, c.created_at, c.region, c.language,
           c.attributes->>'segment' AS business, c.attributes->>'company_size' AS company_size,
           c.attributes->>'interest' AS declared_interest,
           (c.attributes->>'employees')::numeric AS employees
    FROM customers c
    WHERE c.merged_into IS NULL AND c.created_at < %(as_of)s
      AND (%(ids)s::text[] IS NULL OR c.customer_id = ANY(%(ids)s::text[]))
),
ev AS (
    SELECT k.cid, e.type, e.channel, e.ts, e.properties->>'page' AS page, e.properties->>'category' AS category,
           extract(epoch FROM %(as_of)s - e.ts) / 86400.0 AS age_d,
           e.type NOT IN ('unsubscribe', 'order_delivered', 'cart_abandoned')
               AND e.type NOT LIKE '%%\_sent' AND e.type NOT LIKE '%%\_delivered' AS active,
           e.type IN ('email_open', 'email_click', 'sms_click', 'push_open', 'in_app_click', 'in_app_open')
               AS response
    FROM events e
    JOIN canon k ON k.raw_id = e.customer_id
    JOIN people p ON p.cid = k.cid
    WHERE e.ts < %(as_of)s
),
ev_agg AS (
    SELECT cid,
        count(*) FILTER (WHERE active) AS events_total,
        min(age_d) FILTER (WHERE active) AS recency_days,
        count(*) FILTER (WHERE active AND age_d < 7) AS events_7d,
        count(*) FILTER (WHERE active AND age_d < 30) AS events_30d,
        count(*) FILTER (WHERE active AND age_d < 90) AS events_90d,
        count(*) FILTER (WHERE active AND age_d >= 30 AND age_d < 90) AS events_30_90d,
        count(*) FILTER (WHERE type = 'page_view' AND age_d < 30) AS page_views_30d,
        count(*) FILTER (WHERE type = 'product_view' AND age_d < 30) AS product_views_30d,
        count(*) FILTER (WHERE type = 'search' AND age_d < 30) AS searches_30d,
        count(*) FILTER (WHERE type = 'added_to_cart' AND age_d < 30) AS carts_30d,
        count(*) FILTER (WHERE type = 'cart_abandoned' AND age_d < 30) AS carts_abandoned_30d,
        count(*) FILTER (WHERE type = 'checkout' AND age_d < 90) AS checkouts_90d,
        count(*) FILTER (WHERE page = '/pricing' AND age_d < 7) AS pricing_views_7d,
        count(*) FILTER (WHERE page = '/pricing' AND age_d < 30) AS pricing_views_30d,
        count(*) FILTER (WHERE type = 'whitepaper_download' AND age_d < 90) AS whitepapers_90d,
        count(*) FILTER (WHERE type = 'webinar_attended' AND age_d < 90) AS webinars_90d,
        count(*) FILTER (WHERE type IN ('demo_requested', 'meeting_booked') AND age_d < 90) AS sales_touches_90d,
        count(*) FILTER (WHERE type = 'login' AND age_d < 7) AS logins_7d,
        count(*) FILTER (WHERE type = 'login' AND age_d < 30) AS logins_30d,
        count(*) FILTER (WHERE type = 'login' AND age_d >= 30 AND age_d < 90) AS logins_30_90d,
        count(*) FILTER (WHERE type IN ('board_created', 'automation_created', 'automation_viewed')
                         AND age_d < 30) AS product_actions_30d,
        count(*) FILTER (WHERE type IN ('collaborator_invited', 'seat_added') AND age_d < 90) AS team_growth_90d,
        count(*) FILTER (WHERE type = 'usage_milestone' AND age_d < 90) AS milestones_90d,
        count(*) FILTER (WHERE type IN ('upgrade', 'seat_added', 'contract_signed')) AS conversions_total,
        count(*) FILTER (WHERE type = 'trial_started' AND age_d < 30) AS trials_30d,
        count(*) FILTER (WHERE type = 'downgrade' AND age_d < 90) AS downgrades_90d,
        bool_or(type = 'unsubscribe') AS unsubscribed,
        count(*) FILTER (WHERE channel = 'email' AND age_d < 7) AS email_touches_7d,
        count(*) FILTER (WHERE channel = 'email' AND age_d < 30) AS email_touches_30d,
        count(*) FILTER (WHERE channel = 'email' AND response AND age_d < 7) AS email_responses_7d,
        count(*) FILTER (WHERE channel = 'email' AND response AND age_d < 30) AS email_responses_30d,
        count(*) FILTER (WHERE channel = 'sms' AND age_d < 7) AS sms_touches_7d,
        count(*) FILTER (WHERE channel = 'sms' AND age_d < 30) AS sms_touches_30d,
        count(*) FILTER (WHERE channel = 'sms' AND response AND age_d < 7) AS sms_responses_7d,
        count(*) FILTER (WHERE channel = 'sms' AND response AND age_d < 30) AS sms_responses_30d,
        count(*) FILTER (WHERE channel = 'push' AND age_d < 7) AS push_touches_7d,
        count(*) FILTER (WHERE channel = 'push' AND age_d < 30) AS push_touches_30d,
        count(*) FILTER (WHERE channel = 'push' AND response AND age_d < 7) AS push_responses_7d,
        count(*) FILTER (WHERE channel = 'push' AND response AND age_d < 30) AS push_responses_30d,
        count(*) FILTER (WHERE channel = 'email' AND response AND age_d < 180) AS email_responses_180d,
        count(*) FILTER (WHERE channel = 'sms' AND response AND age_d < 180) AS sms_responses_180d,
        count(*) FILTER (WHERE channel = 'push' AND response AND age_d < 180) AS push_responses_180d,
        count(*) FILTER (WHERE channel = 'app' AND active AND age_d < 180) AS app_events_180d,
        count(*) FILTER (WHERE channel = 'web' AND active AND age_d < 180) AS web_events_180d
    FROM ev GROUP BY cid
),
hours AS (
    SELECT ev.cid, extract(hour FROM ev.ts AT TIME ZONE p.timezone)::int AS h, count(*) AS n
    FROM ev JOIN people p USING (cid)
    WHERE ev.active AND ev.age_d < 180 AND ev.channel IS DISTINCT FROM 'system' AND ev.channel IS DISTINCT FROM 'sales'
    GROUP BY 1, 2
),
hour_agg AS (
    SELECT cid, jsonb_object_agg(h::text, n) AS active_hours FROM hours GROUP BY cid
),
lines AS (
    SELECT k.cid, o.order_id, o.ordered_at, l.quantity * l.unit_price AS value, pr.category,
           CASE WHEN pr.price > 0 THEN 1 - l.unit_price / pr.price ELSE 0 END AS discount,
           coalesce(r.quantity, 0) AS returned,
           l.quantity,
           extract(epoch FROM %(as_of)s - o.ordered_at) / 86400.0 AS age_d
    FROM orders o
    JOIN canon k ON k.raw_id = o.customer_id
    JOIN people p ON p.cid = k.cid
    JOIN order_lines l ON l.order_id = o.order_id
    JOIN products pr ON pr.product_id = l.product_id
    LEFT JOIN returns r ON r.order_id = l.order_id AND r.line_no = l.line_no AND r.returned_at < %(as_of)s
    WHERE o.ordered_at < %(as_of)s AND o.status <> 'cancelled'
),
order_agg AS (
    SELECT cid,
        count(DISTINCT order_id) AS orders_total,
        count(DISTINCT order_id) FILTER (WHERE age_d < 90) AS orders_90d,
        count(DISTINCT order_id) FILTER (WHERE age_d < 365) AS orders_365d,
        sum(value)::float8 AS monetary_total,
        coalesce(sum(value) FILTER (WHERE age_d < 365), 0)::float8 AS monetary_365d,
        min(age_d) AS days_since_last_order,
        max(age_d) AS days_since_first_order,
        avg(discount)::float8 AS avg_discount,
        avg((discount >= 0.1)::int)::float8 AS discounted_share,
        (sum(returned)::float8 / nullif(sum(quantity), 0)) AS return_rate,
        count(DISTINCT category) AS categories_bought,
        (array_agg(category ORDER BY ordered_at DESC, category))[1] AS last_category
    FROM lines GROUP BY cid
),
affinity_src AS (
    SELECT cid, category, 3.0 AS w FROM lines WHERE age_d < 365
    UNION ALL
    SELECT cid, category, 1.0 FROM ev WHERE type = 'product_view' AND category IS NOT NULL AND age_d < 365
),
affinity AS (
    SELECT cid, jsonb_object_agg(category, round((w / total)::numeric, 4)) AS category_affinity,
           max(total)::float8 AS category_interest
    FROM (
        SELECT cid, category, sum(w) AS w, sum(sum(w)) OVER (PARTITION BY cid) AS total
        FROM affinity_src GROUP BY cid, category
    ) s GROUP BY cid
),
last_order AS (
    SELECT l.cid, jsonb_agg(DISTINCT l.category) AS last_order_categories
    FROM lines l
    JOIN (SELECT DISTINCT ON (cid) cid, order_id FROM lines ORDER BY cid, ordered_at DESC, order_id) o
      ON o.cid = l.cid AND o.order_id = l.order_id
    GROUP BY l.cid
),
views_30d AS (
    SELECT cid, jsonb_object_agg(category, n) AS category_views_30d
    FROM (
        SELECT cid, category, count(*) AS n FROM ev
        WHERE type = 'product_view' AND category IS NOT NULL AND age_d < 30 GROUP BY cid, category
    ) s GROUP BY cid
),
recent_views AS (
    SELECT DISTINCT ON (cid) cid, category AS recent_category
    FROM ev WHERE type = 'product_view' AND category IS NOT NULL AND age_d < 30
    GROUP BY cid, category ORDER BY cid, count(*) DESC, category
),
bought AS (
    SELECT cid, jsonb_agg(DISTINCT category) AS categories FROM lines GROUP BY cid
),
tix AS (
    SELECT k.cid, t.opened_at, extract(epoch FROM %(as_of)s - t.opened_at) / 86400.0 AS age_d,
           (t.status IN ('open', 'pending') OR t.updated_at >= %(as_of)s) AS open_then,
           CASE t.labels->>'sentiment' WHEN 'very_negative' THEN -2 WHEN 'negative' THEN -1
                WHEN 'neutral' THEN 0 WHEN 'positive' THEN 1 END AS sentiment
    FROM tickets t
    JOIN canon k ON k.raw_id = t.customer_id
    JOIN people p ON p.cid = k.cid
    WHERE t.opened_at < %(as_of)s
),
tix_agg AS (
    SELECT cid,
        count(*) FILTER (WHERE age_d < 90) AS tickets_90d,
        count(*) FILTER (WHERE open_then) AS open_tickets,
        avg(sentiment) FILTER (WHERE age_d < 90)::float8 AS sentiment_90d,
        avg(sentiment) FILTER (WHERE age_d >= 90 AND age_d < 365)::float8 AS sentiment_prior
    FROM tix GROUP BY cid
),
members AS (
    SELECT k.raw_id, c.account_id
    FROM canon k JOIN customers c ON c.customer_id = k.cid
    WHERE c.account_id IN (SELECT account_id FROM people WHERE account_id IS NOT NULL)
      AND c.created_at < %(as_of)s
),
acct AS (
    SELECT m.account_id,
        count(DISTINCT m.raw_id) AS account_contacts,
        count(*) FILTER (WHERE e.properties->>'page' = '/pricing' AND e.ts >= %(as_of)s - interval '30 days')
            AS account_pricing_views_30d,
        count(*) FILTER (WHERE e.type = 'whitepaper_download' AND e.ts >= %(as_of)s - interval '90 days')
            AS account_whitepapers_90d,
        count(*) FILTER (WHERE e.type = 'webinar_attended' AND e.ts >= %(as_of)s - interval '90 days')
            AS account_webinars_90d,
        count(*) FILTER (WHERE e.type IN ('demo_requested', 'meeting_booked')
                         AND e.ts >= %(as_of)s - interval '90 days') AS account_sales_touches_90d,
        count(DISTINCT e.customer_id) FILTER (WHERE e.ts >= %(as_of)s - interval '30 days'
                                              AND e.type NOT IN ('unsubscribe', 'order_delivered', 'cart_abandoned'))
            AS account_active_contacts_30d
    FROM members m
    LEFT JOIN events e ON e.customer_id = m.raw_id AND e.ts < %(as_of)s
    GROUP BY m.account_id
)
SELECT p.cid AS customer_id, p.account_id, p.industry, p.region, p.language, p.business, p.company_size,
       p.declared_interest,
       p.employees::float8 AS employees,
       extract(epoch FROM %(as_of)s - p.created_at) / 86400.0 AS tenure_days,
       to_jsonb(ev_agg) - 'cid' AS ev,
       to_jsonb(order_agg) - 'cid' AS ord,
       to_jsonb(tix_agg) - 'cid' AS tix,
       to_jsonb(acct) - 'account_id' AS acct,
       hour_agg.active_hours, affinity.category_affinity, affinity.category_interest, bought.categories, recent_views.recent_category,
       last_order.last_order_categories, views_30d.category_views_30d
FROM people p
LEFT JOIN ev_agg USING (cid)
LEFT JOIN hour_agg USING (cid)
LEFT JOIN order_agg USING (cid)
LEFT JOIN affinity USING (cid)
LEFT JOIN bought USING (cid)
LEFT JOIN recent_views USING (cid)
LEFT JOIN last_order USING (cid)
LEFT JOIN views_30d USING (cid)
LEFT JOIN tix_agg USING (cid)
LEFT JOIN acct ON acct.account_id = p.account_id
ORDER BY p.cid
