-- Money is accepted at any precision and rounded half-even to the currency's minor unit; the value the
-- file held is kept beside the rounded one (NULL where rounding changed nothing).
ALTER TABLE products ADD COLUMN price_original numeric;
ALTER TABLE order_lines ADD COLUMN unit_price_original numeric;

-- A Segment/RudderStack `alias` links the previous id's profile and the user's profile through an
-- identity of kind 'alias' (value: the userId); identity resolution merges them like any shared id.
ALTER TABLE identities DROP CONSTRAINT identities_kind_check;
ALTER TABLE identities ADD CONSTRAINT identities_kind_check
    CHECK (kind IN ('email', 'phone', 'device', 'crm_id', 'cookie', 'alias'));
