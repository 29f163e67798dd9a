"""PostgreSQL only: ``sasom_sale_post``, the posting of a plain sale in one database call.

See docs/ledger.md ("The fast path of a plain sale"). On SQLite this migration does nothing: the
ORM path (``ledger.services.sales.sale_post``) is the only path there.
"""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION sasom_sale_post(
    p_org bigint, p_branch bigint, p_terminal bigint, p_receipt varchar,
    p_document_type varchar, p_occurred_at timestamptz, p_recorded_at timestamptz,
    p_member bigint, p_expect_first boolean, p_member_type_code varchar,
    p_salesperson varchar, p_campaign_plan varchar, p_bag_declined boolean,
    p_gross numeric, p_discounts numeric, p_bill_discount numeric, p_coupon_discount numeric,
    p_points_discount numeric, p_net numeric, p_eligible_net numeric, p_points bigint,
    p_donation numeric, p_explanation jsonb, p_body_hash varchar, p_actor_label varchar,
    p_staff_user integer,
    p_line_no integer[], p_sku varchar[], p_category varchar[], p_brand varchar[],
    p_quantity numeric[], p_unit_price numeric[], p_discount numeric[], p_line_net numeric[],
    p_entry_explanation jsonb, p_expires_on date, p_pending_until timestamptz, p_is_pending boolean
) RETURNS TABLE (
    status text, sale_id bigint, body_hash varchar, account_id bigint, spendable bigint,
    pending bigint, lifetime_earned bigint, debt bigint, sale_count integer,
    account_created_at timestamptz, entry_id bigint, next_expiry_on date, next_expiry_points bigint
) LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
DECLARE
    v_acc ledger_pointaccount%ROWTYPE;
    v_sale bigint;
    v_hash varchar;
    v_entry bigint;
    v_next date;
    v_next_points bigint;
BEGIN
    -- A receipt seen before: answer with the stored sale, touch nothing.
    SELECT s.id, s.body_hash INTO v_sale, v_hash FROM ledger_sale s
     WHERE s.organization_id = p_org AND s.branch_id = p_branch AND s.terminal_id = p_terminal
       AND s.receipt_id = p_receipt;
    IF FOUND THEN
        RETURN QUERY SELECT 'replay'::text, v_sale, v_hash, NULL::bigint, NULL::bigint, NULL::bigint,
            NULL::bigint, NULL::bigint, NULL::integer, NULL::timestamptz, NULL::bigint, NULL::date, NULL::bigint;
        RETURN;
    END IF;

    IF p_member IS NOT NULL THEN
        -- Lock the member's account (created on the first sale); each later statement of this
        -- function sees everything committed before the lock was granted (READ COMMITTED).
        SELECT * INTO v_acc FROM ledger_pointaccount a
         WHERE a.organization_id = p_org AND a.member_id = p_member FOR UPDATE;
        IF NOT FOUND THEN
            INSERT INTO ledger_pointaccount AS a (organization_id, member_id, spendable, pending,
                   lifetime_earned, debt, sale_count, created_at, updated_at)
            VALUES (p_org, p_member, 0, 0, 0, 0, 0, p_recorded_at, p_recorded_at)
            ON CONFLICT (organization_id, member_id) DO NOTHING;
            SELECT * INTO v_acc FROM ledger_pointaccount a
             WHERE a.organization_id = p_org AND a.member_id = p_member FOR UPDATE;
        END IF;
        -- The engine decided on the account as read before this call: if what it used (first
        -- purchase or not) changed meanwhile, or a debt appeared, the caller takes the ORM path.
        IF v_acc.debt <> 0 OR (v_acc.sale_count = 0) IS DISTINCT FROM p_expect_first THEN
            RETURN QUERY SELECT 'stale'::text, NULL::bigint, NULL::varchar, v_acc.id, NULL::bigint,
                NULL::bigint, NULL::bigint, NULL::bigint, NULL::integer, NULL::timestamptz, NULL::bigint,
                NULL::date, NULL::bigint;
            RETURN;
        END IF;
    END IF;

    INSERT INTO ledger_sale AS s (organization_id, branch_id, terminal_id, receipt_id, document_type,
           occurred_at, recorded_at, member_id, account_id, member_type_code, salesperson,
           campaign_plan, bag_declined, gross, discounts, bill_discount, coupon_discount,
           points_discount, net, eligible_net, points_earned, referrer_points, points_used, donation,
           status, explanation, body_hash, actor_label, staff_user_id, voided_at, void_reason)
    VALUES (p_org, p_branch, p_terminal, p_receipt, p_document_type, p_occurred_at, p_recorded_at,
            p_member, v_acc.id, p_member_type_code, p_salesperson, p_campaign_plan, p_bag_declined,
            p_gross, p_discounts, p_bill_discount, p_coupon_discount, p_points_discount, p_net,
            p_eligible_net, p_points, 0, 0, p_donation, 'posted', p_explanation, p_body_hash,
            p_actor_label, p_staff_user, NULL, '')
    ON CONFLICT ON CONSTRAINT uniq_sale_receipt DO NOTHING
    RETURNING s.id INTO v_sale;
    IF v_sale IS NULL THEN
        -- The same receipt committed by a concurrent request while this one waited.
        SELECT s.id, s.body_hash INTO v_sale, v_hash FROM ledger_sale s
         WHERE s.organization_id = p_org AND s.branch_id = p_branch AND s.terminal_id = p_terminal
           AND s.receipt_id = p_receipt;
        RETURN QUERY SELECT 'replay'::text, v_sale, v_hash, NULL::bigint, NULL::bigint, NULL::bigint,
            NULL::bigint, NULL::bigint, NULL::integer, NULL::timestamptz, NULL::bigint, NULL::date, NULL::bigint;
        RETURN;
    END IF;

    INSERT INTO ledger_saleline (organization_id, sale_id, line_no, sku, category, brand, quantity,
           unit_price, discount, net, returned_quantity)
    SELECT p_org, v_sale, l.no, l.sku, l.category, l.brand, l.quantity, l.unit_price, l.discount, l.net, 0
      FROM unnest(p_line_no, p_sku, p_category, p_brand, p_quantity, p_unit_price, p_discount, p_line_net)
           AS l(no, sku, category, brand, quantity, unit_price, discount, net);

    IF p_member IS NULL THEN
        RETURN QUERY SELECT 'created'::text, v_sale, p_body_hash, NULL::bigint, NULL::bigint, NULL::bigint,
            NULL::bigint, NULL::bigint, NULL::integer, NULL::timestamptz, NULL::bigint, NULL::date, NULL::bigint;
        RETURN;
    END IF;

    IF p_points > 0 THEN
        INSERT INTO ledger_entry AS e (organization_id, account_id, kind, sign, amount, debt_delta,
               reverses_id, sale_id, sale_return_id, source_type, source_id, idempotency_key, branch_id,
               terminal_id, staff_user_id, actor_label, reason, explanation, occurred_at, recorded_at)
        VALUES (p_org, v_acc.id, 'earn', 1, p_points, 0, NULL, v_sale, NULL, 'sale', p_receipt, NULL,
                p_branch, p_terminal, p_staff_user, p_actor_label, '', p_entry_explanation,
                p_occurred_at, p_recorded_at)
        RETURNING e.id INTO v_entry;
        INSERT INTO ledger_lot (organization_id, account_id, entry_id, amount, remaining, earned_at,
               expires_on, pending_until, is_pending)
        VALUES (p_org, v_acc.id, v_entry, p_points, p_points, p_occurred_at, p_expires_on,
                CASE WHEN p_is_pending THEN p_pending_until END, p_is_pending);
    END IF;

    UPDATE ledger_pointaccount a
       SET spendable = a.spendable + CASE WHEN p_is_pending THEN 0 ELSE p_points END,
           pending = a.pending + CASE WHEN p_is_pending THEN p_points ELSE 0 END,
           lifetime_earned = a.lifetime_earned + p_points,
           sale_count = a.sale_count + 1,
           updated_at = p_recorded_at
     WHERE a.id = v_acc.id
    RETURNING a.* INTO v_acc;

    SELECT l.expires_on, sum(l.remaining) INTO v_next, v_next_points FROM ledger_lot l
     WHERE l.account_id = v_acc.id AND l.remaining > 0 AND l.expires_on IS NOT NULL
     GROUP BY l.expires_on ORDER BY l.expires_on LIMIT 1;

    RETURN QUERY SELECT 'created'::text, v_sale, p_body_hash, v_acc.id, v_acc.spendable, v_acc.pending,
        v_acc.lifetime_earned, v_acc.debt, v_acc.sale_count, v_acc.created_at, v_entry, v_next,
        coalesce(v_next_points, 0)::bigint;
END
$fn$;
"""

DROP = "DROP FUNCTION IF EXISTS sasom_sale_post"


def _create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(FUNCTION)  # no parameters: "%ROWTYPE" must reach PostgreSQL as written


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(_create, _drop, elidable=False)]
