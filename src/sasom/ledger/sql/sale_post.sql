-- sasom_sale_post(plan jsonb): the posting of a plain sale in one database call (PostgreSQL), for
-- plans of wire format 1 (an object with a key per value). This release's processes send format 2
-- to sasom_sale_post2 (sale_post2.sql); this function stays for the processes of the release
-- before while they drain, and the migrations 0004-0010 load this text (docs/ledger.md, "Plan formats").
--
-- The plan is built by sasom.ledger.plan.sale_plan and serialized by plan_json: every value of
-- every row is decided there; this function only locks, checks and stores. It locks the POS
-- promotions the sale uses that carry a budget or a per-member limit (id order, before the
-- account, as checkout.promo_commit does) and refuses the sale when one ran out since the basket
-- was priced; it locks (or creates) the member's account, checks that the account is still as
-- the plan read it (first purchase or not, debt), inserts the sale, its lines, the earn entry and
-- its lot, the promotions' uses, adds the plan's deltas to the account and each promotion's count
-- of bills, and returns the new balances and the next expiry.
-- Loaded by migrations (ledger.0004, again by 0005 and 0006 for new columns, 0007 for the
-- promotions' uses and the refusal column, 0008 with the sale path's narrower indexes);
-- docs/ledger.md "The fast path", docs/performance.md "Indexes a sale writes".
CREATE OR REPLACE FUNCTION sasom_sale_post(p jsonb)
RETURNS TABLE (
    status text, sale_id bigint, body_hash varchar, account_id bigint, spendable bigint,
    pending bigint, lifetime_earned bigint, debt bigint, sale_count integer,
    account_created_at timestamptz, entry_id bigint, next_expiry_on date, next_expiry_points bigint,
    refused_promotion bigint
) LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
DECLARE
    v_org bigint := (p->>'org')::bigint;
    v_branch bigint := (p->>'branch')::bigint;
    v_terminal bigint := (p->>'terminal')::bigint;
    v_receipt varchar := p->>'receipt_id';
    v_member bigint := (p->>'member')::bigint;
    v_recorded_at timestamptz := (p->>'recorded_at')::timestamptz;
    v_occurred_at timestamptz := (p->>'occurred_at')::timestamptz;
    v_earn jsonb := p->'earn';
    v_delta jsonb := p->'delta';
    v_uses jsonb := coalesce(p->'uses', '[]'::jsonb);
    v_refused bigint;
    v_acc ledger_pointaccount%ROWTYPE;
    v_sale bigint;
    v_hash varchar;
    v_entry bigint;
    v_next date;
    v_next_points bigint;
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
            VALUES (v_org, v_member, 0, 0, 0, 0, 0, v_recorded_at, v_recorded_at)
            ON CONFLICT (organization_id, member_id) DO NOTHING
            RETURNING a.* INTO v_acc;  -- the new row, locked by its insert: no read again
            IF NOT FOUND THEN  -- created meanwhile by a concurrent first sale: lock that one
                SELECT * INTO v_acc FROM ledger_pointaccount a
                 WHERE a.organization_id = v_org AND a.member_id = v_member FOR UPDATE;
            END IF;
        END IF;
        -- The plan was built on the account as read before this call: if what it used (first
        -- purchase or not, the debt an earn pays first) changed meanwhile, write nothing.
        IF v_acc.debt <> (p->>'expect_debt')::bigint
           OR (v_acc.sale_count = 0) IS DISTINCT FROM (p->>'expect_first')::boolean THEN
            RETURN QUERY SELECT 'stale'::text, NULL::bigint, NULL::varchar, v_acc.id, NULL::bigint,
                NULL::bigint, NULL::bigint, NULL::bigint, NULL::integer, NULL::timestamptz, NULL::bigint,
                NULL::date, NULL::bigint, NULL::bigint;
            RETURN;
        END IF;
    END IF;

    INSERT INTO ledger_sale AS s (organization_id, branch_id, terminal_id, receipt_id, document_type,
           occurred_at, recorded_at, member_id, account_id, member_type_code, salesperson,
           campaign_plan, bag_declined, gross, discounts, bill_discount, coupon_discount,
           points_discount, net, eligible_net, points_earned, referrer_points, points_used, donation,
           member_discount, price_flagged, status, explanation, body_hash, actor_label, staff_user_id,
           voided_at, void_reason)
    VALUES (v_org, v_branch, v_terminal, v_receipt, p->>'document_type', v_occurred_at, v_recorded_at,
            v_member, v_acc.id, p->>'member_type_code', p->>'salesperson', p->>'campaign_plan',
            (p->>'bag_declined')::boolean, (p->>'gross')::numeric, (p->>'discounts')::numeric,
            (p->>'bill_discount')::numeric, (p->>'coupon_discount')::numeric,
            (p->>'points_discount')::numeric, (p->>'net')::numeric, (p->>'eligible_net')::numeric,
            (p->>'points_earned')::bigint, (p->>'referrer_points')::bigint, (p->>'points_used')::bigint,
            (p->>'donation')::numeric, (p->>'member_discount')::numeric, (p->>'price_flagged')::boolean,
            'posted', p->'explanation', p->>'body_hash', p->>'actor_label',
            (p->>'staff_user')::integer, NULL, '')
    ON CONFLICT ON CONSTRAINT uniq_sale_receipt DO NOTHING
    RETURNING s.id INTO v_sale;
    IF v_sale IS NULL THEN
        -- The same receipt committed by a concurrent request while this one waited.
        SELECT s.id, s.body_hash INTO v_sale, v_hash FROM ledger_sale s
         WHERE s.organization_id = v_org AND s.branch_id = v_branch AND s.terminal_id = v_terminal
           AND s.receipt_id = v_receipt;
        RETURN QUERY SELECT 'replay'::text, v_sale, v_hash, NULL::bigint, NULL::bigint, NULL::bigint,
            NULL::bigint, NULL::bigint, NULL::integer, NULL::timestamptz, NULL::bigint, NULL::date, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;

    INSERT INTO ledger_saleline (organization_id, sale_id, line_no, sku, category, brand, quantity,
           unit_price, discount, net, returned_quantity, list_price, price_source, price_flag,
           member_discount, excluded_from_points, promotion_discount, promotions)
    SELECT v_org, v_sale, l.line_no, l.sku, l.category, l.brand, l.quantity, l.unit_price, l.discount,
           l.net, 0, l.list_price, l.price_source, l.price_flag, l.member_discount, l.excluded_from_points,
           l.promotion_discount, l.promotions
      FROM jsonb_to_recordset(p->'lines') AS l(line_no integer, sku varchar, category varchar,
           brand varchar, quantity numeric, unit_price numeric, discount numeric, net numeric,
           list_price numeric, price_source varchar, price_flag varchar, member_discount numeric,
           excluded_from_points boolean, promotion_discount numeric, promotions varchar);

    IF jsonb_array_length(v_uses) > 0 THEN
        -- One use per promotion applied, and its count of bills (the limited ones locked above).
        INSERT INTO promotions_promotionuse (organization_id, promotion_id, sale_id, member_id, occurred_at,
               times, discount, units, reversed)
        SELECT v_org, (u->>0)::bigint, v_sale, v_member, v_occurred_at, (u->>1)::integer, (u->>2)::numeric,
               (u->>3)::numeric, false
          FROM jsonb_array_elements(v_uses) u;
        UPDATE promotions_promotion pr SET uses = pr.uses + 1
         WHERE pr.organization_id = v_org
           AND pr.id IN (SELECT (u->>0)::bigint FROM jsonb_array_elements(v_uses) u);
    END IF;

    IF v_member IS NULL THEN
        RETURN QUERY SELECT 'created'::text, v_sale, (p->>'body_hash')::varchar, NULL::bigint, NULL::bigint,
            NULL::bigint, NULL::bigint, NULL::bigint, NULL::integer, NULL::timestamptz, NULL::bigint,
            NULL::date, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;

    IF v_earn IS NOT NULL AND jsonb_typeof(v_earn) = 'object' THEN
        INSERT INTO ledger_entry AS e (organization_id, account_id, kind, sign, amount, debt_delta,
               reverses_id, sale_id, sale_return_id, source_type, source_id, idempotency_key, branch_id,
               terminal_id, staff_user_id, actor_label, reason, explanation, occurred_at, recorded_at)
        VALUES (v_org, v_acc.id, 'earn', 1, (v_earn->>'amount')::bigint, -(v_earn->>'debt_paid')::bigint,
                NULL, v_sale, NULL, 'sale', v_receipt, NULL, v_branch, v_terminal,
                (p->>'staff_user')::integer, p->>'actor_label', '', v_earn->'explanation', v_occurred_at,
                v_recorded_at)
        RETURNING e.id INTO v_entry;
        IF (v_earn->>'lot_amount')::bigint > 0 THEN
            INSERT INTO ledger_lot (organization_id, account_id, entry_id, amount, remaining, earned_at,
                   expires_on, pending_until, is_pending)
            VALUES (v_org, v_acc.id, v_entry, (v_earn->>'lot_amount')::bigint,
                    (v_earn->>'lot_amount')::bigint, v_occurred_at, (v_earn->>'expires_on')::date,
                    (v_earn->>'pending_until')::timestamptz, v_earn->>'pending_until' IS NOT NULL);
        END IF;
    END IF;

    UPDATE ledger_pointaccount a
       SET spendable = a.spendable + (v_delta->>'spendable')::bigint,
           pending = a.pending + (v_delta->>'pending')::bigint,
           debt = a.debt + (v_delta->>'debt')::bigint,
           lifetime_earned = a.lifetime_earned + (v_delta->>'lifetime_earned')::bigint,
           sale_count = a.sale_count + (v_delta->>'sale_count')::integer,
           updated_at = v_recorded_at
     WHERE a.id = v_acc.id
    RETURNING a.* INTO v_acc;

    SELECT l.expires_on, sum(l.remaining) INTO v_next, v_next_points FROM ledger_lot l
     WHERE l.account_id = v_acc.id AND l.remaining > 0 AND l.expires_on IS NOT NULL
     GROUP BY l.expires_on ORDER BY l.expires_on LIMIT 1;

    RETURN QUERY SELECT 'created'::text, v_sale, (p->>'body_hash')::varchar, v_acc.id, v_acc.spendable,
        v_acc.pending, v_acc.lifetime_earned, v_acc.debt, v_acc.sale_count, v_acc.created_at, v_entry,
        v_next, coalesce(v_next_points, 0)::bigint, NULL::bigint;
END
$fn$;
