-- sasom_sale_post2(p jsonb): the posting of a plain sale in one database call (PostgreSQL), for
-- plans of wire format 2 (ledger/plan_wire.py, which lists the positions below).
--
-- The plan is built by sasom.ledger.plan.sale_plan and serialized by plan_wire.plan_json: every
-- value of every row is decided there; this function only locks, checks and stores. It locks the
-- POS promotions the sale uses that carry a budget or a per-member limit (id order, before the
-- account, as checkout.promo_commit does) and refuses the sale when one ran out since the basket
-- was priced; it locks (or creates) the member's account, checks that the account is still as
-- the plan read it (first purchase or not, debt), inserts the sale with its lines, the earn entry
-- with its lot, the promotions' uses, adds the plan's deltas to the account and each promotion's
-- count of bills, and returns the new balances and the next expiry.
--
-- Format 2 is format 1 (sale_post.sql, sasom_sale_post) made lean: positions instead of keys (the
-- plan is one JSON array, each line an array; 0.75x of the bytes of a B1 plan). Statements that
-- follow each other without a decision between them are one statement each (the sale with its
-- lines; the entry with its lot; the account's update with the answer). docs/ledger.md "The fast
-- path", docs/performance.md (B1's PostgreSQL CPU). Loaded by migration ledger.0011.
--
-- Positions: 0 organization, 1 branch, 2 terminal, 3 receipt, 4 document type, 5 occurred at,
-- 6 recorded at, 7 member, 8 expect first purchase, 9 expect debt, 10 member type code,
-- 11 salesperson, 12 campaign plan, 13 bag declined, 14 gross, 15 discounts, 16 bill discount,
-- 17 coupon discount, 18 points discount, 19 net, 20 eligible net, 21 points earned,
-- 22 referrer points, 23 points used, 24 donation, 25 member discount, 26 price flagged,
-- 27 body hash, 28 actor label, 29 staff user, 30 the sale's explanation, 31 lines, 32 earn,
-- 33 account delta, 34 promotion uses.
-- A line: 0 line no, 1 sku, 2 category, 3 brand, 4 quantity, 5 unit price, 6 discount, 7 net,
-- 8 list price, 9 price source, 10 price flag, 11 member discount, 12 excluded from points,
-- 13 promotion discount, 14 promotions. Earn (or null): 0 amount, 1 debt paid, 2 expires on,
-- 3 pending until, 4 the entry's explanation. Delta: spendable, pending, lifetime earned, debt,
-- sale count. A use: promotion, times, discount, units.
CREATE OR REPLACE FUNCTION sasom_sale_post2(p jsonb)
RETURNS TABLE (
    status text, sale_id bigint, body_hash varchar, account_id bigint, spendable bigint,
    pending bigint, lifetime_earned bigint, debt bigint, sale_count integer,
    account_created_at timestamptz, entry_id bigint, next_expiry_on date, next_expiry_points bigint,
    refused_promotion bigint
) LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
DECLARE
    v_org bigint := (p->>0)::bigint;
    v_branch bigint := (p->>1)::bigint;
    v_terminal bigint := (p->>2)::bigint;
    v_receipt varchar := p->>3;
    v_member bigint := (p->>7)::bigint;
    v_uses jsonb := p->34;
    v_refused bigint;
    v_acc ledger_pointaccount%ROWTYPE;
    v_sale bigint;
    v_hash varchar;
    v_entry bigint;
BEGIN
    -- A receipt seen before: answer with the stored sale, touch nothing.
    SELECT s.id, s.body_hash INTO v_sale, v_hash FROM ledger_sale s
     WHERE s.organization_id = v_org AND s.branch_id = v_branch AND s.terminal_id = v_terminal
       AND s.receipt_id = v_receipt;
    IF FOUND THEN
        RETURN QUERY SELECT 'replay'::text, v_sale, v_hash, NULL::bigint, NULL::bigint, NULL::bigint,
            NULL::bigint, NULL::bigint, NULL::integer, NULL::timestamptz, NULL::bigint, NULL::date, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;

    IF jsonb_array_length(v_uses) > 0 THEN
        -- The POS promotions with a budget (bills in all) or a per-member limit (this member's
        -- bills not reversed): locked in id order first, then counted by the next statement,
        -- which sees every use committed before the locks were granted.
        PERFORM 1 FROM promotions_promotion pr
         WHERE pr.organization_id = v_org
           AND pr.id IN (SELECT (u->>0)::bigint FROM jsonb_array_elements(v_uses) u)
           AND (pr.budget IS NOT NULL OR pr.per_member_limit IS NOT NULL)
         ORDER BY pr.id FOR UPDATE;
        SELECT pr.id INTO v_refused FROM promotions_promotion pr
         WHERE pr.organization_id = v_org
           AND pr.id IN (SELECT (u->>0)::bigint FROM jsonb_array_elements(v_uses) u)
           AND ((pr.budget IS NOT NULL AND pr.uses >= pr.budget)
                OR (pr.per_member_limit IS NOT NULL AND v_member IS NOT NULL AND pr.per_member_limit <= (
                    SELECT count(*) FROM promotions_promotionuse pu
                     WHERE pu.organization_id = v_org AND pu.promotion_id = pr.id AND pu.member_id = v_member
                       AND NOT pu.reversed)))
         ORDER BY pr.id LIMIT 1;
        IF v_refused IS NOT NULL THEN
            -- Ran out since the basket was priced: write nothing; the caller prices the sale
            -- again under the promotions' locks (checkout.promo_commit), without that one.
            RETURN QUERY SELECT 'refused'::text, NULL::bigint, NULL::varchar, NULL::bigint, NULL::bigint,
                NULL::bigint, NULL::bigint, NULL::bigint, NULL::integer, NULL::timestamptz, NULL::bigint,
                NULL::date, NULL::bigint, v_refused;
            RETURN;
        END IF;
    END IF;

    IF v_member IS NOT NULL THEN
        -- Lock the member's account (created on the first sale); each later statement of this
        -- function sees everything committed before the lock was granted (READ COMMITTED).
        SELECT * INTO v_acc FROM ledger_pointaccount a
         WHERE a.organization_id = v_org AND a.member_id = v_member FOR UPDATE;
        IF NOT FOUND THEN
            INSERT INTO ledger_pointaccount AS a (organization_id, member_id, spendable, pending,
                   lifetime_earned, debt, sale_count, created_at, updated_at)
            VALUES (v_org, v_member, 0, 0, 0, 0, 0, (p->>6)::timestamptz, (p->>6)::timestamptz)
            ON CONFLICT (organization_id, member_id) DO NOTHING
            RETURNING a.* INTO v_acc;  -- the new row, locked by its insert: no read again
            IF NOT FOUND THEN  -- created meanwhile by a concurrent first sale: lock that one
                SELECT * INTO v_acc FROM ledger_pointaccount a
                 WHERE a.organization_id = v_org AND a.member_id = v_member FOR UPDATE;
            END IF;
        END IF;
        -- The plan was built on the account as read before this call: if what it used (first
        -- purchase or not, the debt an earn pays first) changed meanwhile, write nothing.
        IF v_acc.debt <> (p->>9)::bigint OR (v_acc.sale_count = 0) IS DISTINCT FROM (p->>8)::boolean THEN
            RETURN QUERY SELECT 'stale'::text, NULL::bigint, NULL::varchar, v_acc.id, NULL::bigint,
                NULL::bigint, NULL::bigint, NULL::bigint, NULL::integer, NULL::timestamptz, NULL::bigint,
                NULL::date, NULL::bigint, NULL::bigint;
            RETURN;
        END IF;
    END IF;

    -- The sale and its lines: the lines are inserted only when the sale was (a receipt
    -- committed meanwhile by a concurrent request inserts neither).
    WITH s AS (
        INSERT INTO ledger_sale AS s (organization_id, branch_id, terminal_id, receipt_id, document_type,
               occurred_at, recorded_at, member_id, account_id, member_type_code, salesperson,
               campaign_plan, bag_declined, gross, discounts, bill_discount, coupon_discount,
               points_discount, net, eligible_net, points_earned, referrer_points, points_used, donation,
               member_discount, price_flagged, status, explanation, body_hash, actor_label, staff_user_id,
               voided_at, void_reason)
        VALUES (v_org, v_branch, v_terminal, v_receipt, p->>4, (p->>5)::timestamptz, (p->>6)::timestamptz,
                v_member, v_acc.id, p->>10, p->>11, p->>12, (p->>13)::boolean, (p->>14)::numeric,
                (p->>15)::numeric, (p->>16)::numeric, (p->>17)::numeric, (p->>18)::numeric, (p->>19)::numeric,
                (p->>20)::numeric, (p->>21)::bigint, (p->>22)::bigint, (p->>23)::bigint, (p->>24)::numeric,
                (p->>25)::numeric, (p->>26)::boolean, 'posted', p->30, p->>27, p->>28, (p->>29)::integer,
                NULL, '')
        ON CONFLICT ON CONSTRAINT uniq_sale_receipt DO NOTHING
        RETURNING s.id
    ), lines AS (
        INSERT INTO ledger_saleline (organization_id, sale_id, line_no, sku, category, brand, quantity,
               unit_price, discount, net, returned_quantity, list_price, price_source, price_flag,
               member_discount, excluded_from_points, promotion_discount, promotions)
        SELECT v_org, s.id, (l->>0)::integer, l->>1, l->>2, l->>3, (l->>4)::numeric, (l->>5)::numeric,
               (l->>6)::numeric, (l->>7)::numeric, 0, (l->>8)::numeric, l->>9, l->>10, (l->>11)::numeric,
               (l->>12)::boolean, (l->>13)::numeric, l->>14
          FROM s, jsonb_array_elements(p->31) AS l
    )
    SELECT s.id INTO v_sale FROM s;
    IF v_sale IS NULL THEN
        -- The same receipt committed by a concurrent request while this one waited.
        SELECT s.id, s.body_hash INTO v_sale, v_hash FROM ledger_sale s
         WHERE s.organization_id = v_org AND s.branch_id = v_branch AND s.terminal_id = v_terminal
           AND s.receipt_id = v_receipt;
        RETURN QUERY SELECT 'replay'::text, v_sale, v_hash, NULL::bigint, NULL::bigint, NULL::bigint,
            NULL::bigint, NULL::bigint, NULL::integer, NULL::timestamptz, NULL::bigint, NULL::date, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;

    IF jsonb_array_length(v_uses) > 0 THEN
        -- One use per promotion applied, and its count of bills (the limited ones locked above).
        INSERT INTO promotions_promotionuse (organization_id, promotion_id, sale_id, member_id, occurred_at,
               times, discount, units, reversed)
        SELECT v_org, (u->>0)::bigint, v_sale, v_member, (p->>5)::timestamptz, (u->>1)::integer,
               (u->>2)::numeric, (u->>3)::numeric, false
          FROM jsonb_array_elements(v_uses) u;
        UPDATE promotions_promotion pr SET uses = pr.uses + 1
         WHERE pr.organization_id = v_org
           AND pr.id IN (SELECT (u->>0)::bigint FROM jsonb_array_elements(v_uses) u);
    END IF;

    IF v_member IS NULL THEN
        RETURN QUERY SELECT 'created'::text, v_sale, (p->>27)::varchar, NULL::bigint, NULL::bigint,
            NULL::bigint, NULL::bigint, NULL::bigint, NULL::integer, NULL::timestamptz, NULL::bigint,
            NULL::date, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;

    IF jsonb_typeof(p->32) = 'array' THEN
        -- The earn entry and, when points remain after the debt, its lot.
        WITH e AS (
            INSERT INTO ledger_entry AS e (organization_id, account_id, kind, sign, amount, debt_delta,
                   reverses_id, sale_id, sale_return_id, source_type, source_id, idempotency_key, branch_id,
                   terminal_id, staff_user_id, actor_label, reason, explanation, occurred_at, recorded_at)
            VALUES (v_org, v_acc.id, 'earn', 1, (p->32->>0)::bigint, -(p->32->>1)::bigint, NULL, v_sale, NULL,
                    'sale', v_receipt, NULL, v_branch, v_terminal, (p->>29)::integer, p->>28, '',
                    p->32->4,
                    (p->>5)::timestamptz, (p->>6)::timestamptz)
            RETURNING e.id
        ), lot AS (
            INSERT INTO ledger_lot (organization_id, account_id, entry_id, amount, remaining, earned_at,
                   expires_on, pending_until, is_pending)
            SELECT v_org, v_acc.id, e.id, (p->32->>0)::bigint - (p->32->>1)::bigint,
                   (p->32->>0)::bigint - (p->32->>1)::bigint, (p->>5)::timestamptz, (p->32->>2)::date,
                   (p->32->>3)::timestamptz, p->32->>3 IS NOT NULL
              FROM e
             WHERE (p->32->>0)::bigint > (p->32->>1)::bigint
        )
        SELECT e.id INTO v_entry FROM e;
    END IF;

    -- The account's deltas under its lock, and the answer with the next expiry (which sees the
    -- lot inserted above: a statement of its own, after it).
    RETURN QUERY
    WITH a AS (
        UPDATE ledger_pointaccount a
           SET spendable = a.spendable + (p->33->>0)::bigint,
               pending = a.pending + (p->33->>1)::bigint,
               lifetime_earned = a.lifetime_earned + (p->33->>2)::bigint,
               debt = a.debt + (p->33->>3)::bigint,
               sale_count = a.sale_count + (p->33->>4)::integer,
               updated_at = (p->>6)::timestamptz
         WHERE a.id = v_acc.id
        RETURNING a.id, a.spendable, a.pending, a.lifetime_earned, a.debt, a.sale_count, a.created_at
    )
    SELECT 'created'::text, v_sale, (p->>27)::varchar, a.id, a.spendable, a.pending, a.lifetime_earned,
           a.debt, a.sale_count, a.created_at, v_entry, nx.expires_on, coalesce(nx.points, 0)::bigint,
           NULL::bigint
      FROM a LEFT JOIN LATERAL (
           SELECT l.expires_on, sum(l.remaining) AS points FROM ledger_lot l
            WHERE l.account_id = v_acc.id AND l.remaining > 0 AND l.expires_on IS NOT NULL
            GROUP BY l.expires_on ORDER BY l.expires_on LIMIT 1) nx ON true;
END
$fn$;
