#!/usr/bin/env python3
"""Helper of bench/run: DuckDB queries, timing with peak RSS, the table, the
exact comparison of daily totals.

Subcommands (bench/run calls them; each can be run by hand):

  duckdb-totals  --input FILE --format csv|parquet --out daily.csv [--threads 2]
      The daily totals per day and currency, with the three measures of
      curpipe's daily.csv, in exact DECIMAL(38,28) arithmetic.
  duckdb-curated --input FILE --out DIR [--threads 2]
      COPY of the same line items, in curpipe's curated columns, to Parquet
      partitioned by billing_period and usage_date.
  time --label L --reps N [--clean DIR] [--out FILE.jsonl] [--meta k=v ...] -- CMD ...
      Runs CMD N times, records wall seconds and the peak RSS of each run
      (wait4's ru_maxrss of the child), appends one JSON line to FILE.
  lake-totals --lake DIR --out daily.csv
      Daily totals read back from a Hive-partitioned Parquet lake (curpipe's
      curated/ or DuckDB's COPY), to check that both hold the same rows.
  compare --expected daily.csv NAME=daily.csv ...
      Compares daily totals as exact decimals; exit 1 on any difference.
  report --results FILE.jsonl
      Prints the table, the ratios and the issue's targets.
"""

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time
from decimal import Decimal

# Costs are exact decimals of scale 28, as curpipe's curated Parquet keeps
# them: a double's 17 significant digits stay exact down to about 1e-11.
# DuckDB's DECIMAL precision tops out at 38, which leaves 10 integer digits.
COST = "DECIMAL(38,28)"
USAGE = "DECIMAL(38,24)"

# CUR 1.0 CSV column -> the name the queries use. Athena Parquet uses the
# snake_case names in PARQUET_COLUMNS.
CSV_COLUMNS = {
    "lineItem/UsageStartDate": ("usage_start", "TIMESTAMPTZ"),
    "lineItem/UsageEndDate": ("usage_end", "TIMESTAMPTZ"),
    "bill/BillingPeriodStartDate": ("billing_period_start", "VARCHAR"),
    "bill/PayerAccountId": ("payer_account_id", "VARCHAR"),
    "lineItem/UsageAccountId": ("usage_account_id", "VARCHAR"),
    "lineItem/ProductCode": ("service", "VARCHAR"),
    "lineItem/LineItemType": ("line_item_type", "VARCHAR"),
    "lineItem/UsageType": ("usage_type", "VARCHAR"),
    "lineItem/Operation": ("operation", "VARCHAR"),
    "product/regionCode": ("region_code", "VARCHAR"),
    "product/region": ("region_alt", "VARCHAR"),
    "lineItem/ResourceId": ("resource_id", "VARCHAR"),
    "lineItem/LineItemDescription": ("description", "VARCHAR"),
    "lineItem/CurrencyCode": ("currency", "VARCHAR"),
    "lineItem/UsageAmount": ("usage_amount", USAGE),
    "lineItem/UnblendedCost": ("unblended", COST),
    "lineItem/NetUnblendedCost": ("net_unblended", COST),
    "savingsPlan/SavingsPlanEffectiveCost": ("sp_effective", COST),
    "savingsPlan/TotalCommitmentToDate": ("sp_total_commitment", COST),
    "savingsPlan/UsedCommitment": ("sp_used_commitment", COST),
    "reservation/EffectiveCost": ("ri_effective", COST),
    "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod": ("ri_unused_upfront", COST),
    "reservation/UnusedRecurringFee": ("ri_unused_recurring", COST),
    "reservation/ReservationARN": ("ri_arn", "VARCHAR"),
}

PARQUET_COLUMNS = {
    "line_item_usage_start_date": "usage_start",
    "line_item_usage_end_date": "usage_end",
    "bill_billing_period_start_date": "billing_period_start",
    "bill_payer_account_id": "payer_account_id",
    "line_item_usage_account_id": "usage_account_id",
    "line_item_product_code": "service",
    "line_item_line_item_type": "line_item_type",
    "line_item_usage_type": "usage_type",
    "line_item_operation": "operation",
    "product_region_code": "region_code",
    "product_region": "region_alt",
    "line_item_resource_id": "resource_id",
    "line_item_line_item_description": "description",
    "line_item_currency_code": "currency",
    "line_item_usage_amount": "usage_amount",
    "line_item_unblended_cost": "unblended",
    "line_item_net_unblended_cost": "net_unblended",
    "savings_plan_savings_plan_effective_cost": "sp_effective",
    "savings_plan_total_commitment_to_date": "sp_total_commitment",
    "savings_plan_used_commitment": "sp_used_commitment",
    "reservation_effective_cost": "ri_effective",
    "reservation_unused_amortized_upfront_fee_for_billing_period": "ri_unused_upfront",
    "reservation_unused_recurring_fee": "ri_unused_recurring",
    "reservation_reservation_a_r_n": "ri_arn",
}

NUMERIC = {name: typ for name, typ in CSV_COLUMNS.values() if typ.startswith("DECIMAL")}


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


def ident(s):
    return '"' + s.replace('"', '""') + '"'


def csv_header(path):
    """The header of a (gzip) CSV file, read with Python's csv module."""
    import gzip

    with open(path, "rb") as f:
        gz = f.read(2) == b"\x1f\x8b"
    opener = gzip.open if gz else open
    with opener(path, "rt", newline="", encoding="utf-8-sig") as f:
        return next(csv.reader(f))


def source_sql(path, fmt):
    """A SELECT of the line items with the columns the queries need, under
    the names of CSV_COLUMNS, costs as exact decimals.

    CSV: every column is declared (no sniffing): the needed ones typed,
    the rest VARCHAR; DuckDB parses "1.81E-8" and "2.5e-05" straight into
    DECIMAL. Parquet (Athena CUR): costs are DOUBLEs whose shortest decimal
    form is the value AWS wrote, so they go DOUBLE -> VARCHAR (shortest
    round-trip digits) -> DECIMAL; a direct DOUBLE -> DECIMAL cast would
    carry the binary double's extra digits."""
    if fmt == "csv":
        header = csv_header(path)
        types = {}
        for h in header:
            types[h] = CSV_COLUMNS[h][1] if h in CSV_COLUMNS else "VARCHAR"
        cols = "{" + ", ".join(f"{sql_str(k)}: {sql_str(v)}" for k, v in types.items()) + "}"
        present = {h for h in header}
        sel = []
        for col, (name, _) in CSV_COLUMNS.items():
            sel.append(f"{ident(col)} AS {name}" if col in present else f"NULL AS {name}")
        return (
            f"SELECT {', '.join(sel)} FROM read_csv({sql_str(path)}, header = true, "
            f"auto_detect = false, delim = ',', quote = '\"', escape = '\"', columns = {cols})"
        )
    sel = []
    for col, name in PARQUET_COLUMNS.items():
        if name in NUMERIC:
            sel.append(f"CAST(CAST({ident(col)} AS VARCHAR) AS {NUMERIC[name]}) AS {name}")
        elif name == "billing_period_start":
            sel.append(f"strftime({ident(col)}, '%Y-%m') AS {name}")
        else:
            sel.append(f"{ident(col)} AS {name}")
    return f"SELECT {', '.join(sel)} FROM read_parquet({sql_str(path)})"


# The amortized rule of shared/notes/cur-formats.md (the AWS Cloud
# Intelligence Dashboards rule), as curpipe applies it. Blank counts as 0.
AMORTIZED = f"""
    CASE line_item_type
        WHEN 'SavingsPlanCoveredUsage' THEN coalesce(sp_effective, 0)
        WHEN 'SavingsPlanRecurringFee' THEN coalesce(sp_total_commitment, 0) - coalesce(sp_used_commitment, 0)
        WHEN 'SavingsPlanNegation' THEN 0
        WHEN 'SavingsPlanUpfrontFee' THEN 0
        WHEN 'DiscountedUsage' THEN coalesce(ri_effective, 0)
        WHEN 'RIFee' THEN coalesce(ri_unused_upfront, 0) + coalesce(ri_unused_recurring, 0)
        WHEN 'Fee' THEN CASE WHEN coalesce(ri_arn, '') <> '' THEN 0 ELSE coalesce(unblended, 0) END
        WHEN 'Refund' THEN CASE WHEN suffix(coalesce(service, ''), 'SavingsPlans') THEN 0 ELSE coalesce(unblended, 0) END
        ELSE coalesce(unblended, 0)
    END::{COST}"""


def measures_sql(path, fmt):
    """One row per line item with curpipe's curated columns and measures."""
    return f"""
    SELECT usage_start, usage_end, 'AWS' AS provider,
           coalesce(payer_account_id, '') AS payer_account_id,
           coalesce(usage_account_id, '') AS usage_account_id,
           coalesce(service, '') AS service,
           coalesce(line_item_type, '') AS line_item_type,
           coalesce(usage_type, '') AS usage_type,
           coalesce(operation, '') AS operation,
           coalesce(nullif(region_code, ''), region_alt, '') AS region,
           coalesce(resource_id, '') AS resource_id,
           coalesce(description, '') AS description,
           currency,
           usage_amount,
           coalesce(unblended, 0)::{COST} AS unblended_cost,
           coalesce(net_unblended, unblended, 0)::{COST} AS net_unblended_cost,
           {AMORTIZED} AS amortized_cost,
           left(billing_period_start, 7) AS billing_period,
           CAST(usage_start AS DATE) AS usage_date
    FROM ({source_sql(path, fmt)})"""


def connect(threads):
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {int(threads)}")
    # Usage days are UTC dates; TIMESTAMPTZ -> DATE follows this setting.
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET preserve_insertion_order = false")
    return con


def cmd_duckdb_totals(a):
    con = connect(a.threads)
    q = f"""
    SELECT usage_date, provider, currency,
           sum(unblended_cost) AS unblended_cost,
           sum(net_unblended_cost) AS net_unblended_cost,
           sum(amortized_cost) AS amortized_cost,
           count(*) AS line_items
    FROM ({measures_sql(a.input, a.format)})
    GROUP BY usage_date, provider, currency
    ORDER BY usage_date, provider, currency"""
    con.execute(f"COPY ({q}) TO {sql_str(a.out)} (FORMAT csv, HEADER true)")


def cmd_duckdb_curated(a):
    con = connect(a.threads)
    # The columns of curpipe's curated files (see transforms/curated), but
    # source_line: DuckDB's CSV reader does not expose line numbers.
    q = f"""
    SELECT usage_start, usage_end, provider, payer_account_id, usage_account_id,
           service, line_item_type, usage_type, operation, region, resource_id,
           description, currency, usage_amount, unblended_cost, net_unblended_cost,
           amortized_cost, {sql_str(a.report_id)} AS report_id,
           {sql_str(a.report_version)} AS report_version,
           {sql_str(a.input)} AS source_object,
           billing_period, usage_date
    FROM ({measures_sql(a.input, a.format)})"""
    con.execute(
        f"COPY ({q}) TO {sql_str(a.out)} "
        "(FORMAT parquet, COMPRESSION snappy, PARTITION_BY (billing_period, usage_date), OVERWRITE_OR_IGNORE true)"
    )


def cmd_lake_totals(a):
    con = connect(a.threads)
    q = f"""
    SELECT CAST(usage_date AS DATE) AS usage_date, provider, currency,
           sum(unblended_cost) AS unblended_cost,
           sum(net_unblended_cost) AS net_unblended_cost,
           sum(amortized_cost) AS amortized_cost,
           count(*) AS line_items
    FROM read_parquet({sql_str(os.path.join(a.lake, '**', '*.parquet'))}, hive_partitioning = true)
    GROUP BY ALL ORDER BY ALL"""
    con.execute(f"COPY ({q}) TO {sql_str(a.out)} (FORMAT csv, HEADER true)")


# --- timing ---------------------------------------------------------------


def run_once(argv, clean):
    if clean:
        subprocess.run(["rm", "-rf", clean], check=True)
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    # Read stderr to the end before reaping, so a chatty child never blocks.
    err = proc.stderr.read()
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.stderr.write(err.decode(errors="replace")[-4000:])
        raise SystemExit(f"bench: {' '.join(argv)} exited {proc.returncode}")
    # ru_maxrss is in KiB on Linux: the child's own peak (and its waited-for
    # children's), not the sum of a process tree.
    return {"wall": wall, "rss_mb": ru.ru_maxrss * 1024 / 1e6,
            "user": ru.ru_utime, "sys": ru.ru_stime}


def cmd_time(a):
    argv = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    runs = []
    for i in range(a.reps):
        r = run_once(argv, a.clean)
        runs.append(r)
        print(f"    {a.label}: run {i + 1}/{a.reps}: {r['wall']:.2f} s, "
              f"cpu {r['user'] + r['sys']:.2f} s, peak RSS {r['rss_mb']:.0f} MB", flush=True)
    rec = {"label": a.label, "cmd": argv, "runs": runs}
    for kv in a.meta or []:
        k, _, v = kv.partition("=")
        rec[k] = v
    with open(a.out, "a") as f:
        f.write(json.dumps(rec) + "\n")


# --- correctness -------------------------------------------------------------

MEASURES = ("unblended_cost", "net_unblended_cost", "amortized_cost")


def read_daily(path):
    out = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            key = (row["usage_date"], row["provider"], row["currency"])
            if key in out:
                raise SystemExit(f"bench: {path}: duplicate key {key}")
            vals = tuple(Decimal(row[m]) for m in MEASURES) + (int(row["line_items"]),)
            out[key] = vals
    return out


def cmd_compare(a):
    expected = read_daily(a.expected)
    failed = False
    for spec in a.actual:
        name, _, path = spec.partition("=")
        got = read_daily(path)
        diffs = []
        for key in sorted(set(expected) | set(got)):
            e, g = expected.get(key), got.get(key)
            if e is None or g is None:
                diffs.append(f"{','.join(key)}: {'missing' if g is None else 'unexpected'}")
                continue
            for i, m in enumerate(MEASURES + ("line_items",)):
                if e[i] != g[i]:
                    diffs.append(f"{','.join(key)} {m}: expected {e[i]}, got {g[i]} (diff {g[i] - e[i]})")
        if diffs:
            failed = True
            print(f"  MISMATCH {name}: {len(diffs)} differences from {a.expected}; the first:")
            for d in diffs[:10]:
                print(f"    {d}")
        else:
            rows = sum(v[3] for v in got.values())
            print(f"  ok  {name}: {len(got)} day x currency totals, {rows} line items, equal to the expected as exact decimals")
    if failed:
        raise SystemExit(1)


# --- the table ------------------------------------------------------------------


def med(rec, key="wall"):
    return statistics.median(r[key] for r in rec["runs"])


# The curpipe totals case on the 1-file report: totals only when curpipe can.
CP1 = ("(c) curpipe totals, 1 file gzip CSV", "(c+d) curpipe run (totals + curated), 1 file gzip CSV")


def cmd_report(a):
    recs = {}
    with open(a.results) as f:
        for line in f:
            r = json.loads(line)
            recs[r["label"]] = r
    hdr = f"{'case':<52} {'median s':>9} {'min-max s':>13} {'MB/s':>7} {'rows/s':>10} {'peak RSS MB':>12}"
    print(hdr)
    print("-" * len(hdr))
    for label, r in recs.items():
        t = med(r)
        lo, hi = min(x["wall"] for x in r["runs"]), max(x["wall"] for x in r["runs"])
        mbs = float(r["mb"]) / t
        rows = int(r["rows"]) / t
        rss = max(x["rss_mb"] for x in r["runs"])
        print(f"{label:<52} {t:>9.2f} {lo:>6.2f}-{hi:<6.2f} {mbs:>7.0f} {rows:>10.0f} {rss:>12.0f}")
    print()
    print("MB/s is uncompressed CSV bytes of the same rows (for Parquet input too); rows/s line items;")
    print("peak RSS the largest of the runs (whole process); time is wall-clock of the whole process.")
    print()

    def get(*labels):
        for lb in labels:
            if lb in recs:
                return med(recs[lb])
        return None

    lines = []

    def ratio(name, num, den, target, better):
        if num is None or den is None:
            lines.append(f"  {name:<56}    n/a (a case is absent)")
            return
        v = num / den
        if better is None:
            lines.append(f"  {name:<56} {v:6.2f}")
            return
        lines.append(f"  {name:<56} {v:6.2f}   target {target:<7} {'met' if better(v) else 'NOT MET'}")

    cp = get(*CP1)
    dk = get("(b) duckdb totals, 1 file gzip CSV")
    ig = get("(a) igzip -dc, 1 file")
    gz = get("(a) gzip -dc, 1 file")
    cpd = get("(c+d) curpipe run (totals + curated), 1 file gzip CSV", "(d) curpipe totals + curated, 1 file gzip CSV")
    dkc = get("(d) duckdb COPY partitioned parquet, 1 file gzip CSV")
    cp4 = get("curpipe run, 4-file gzip CSV report")
    cpp = get("(e) curpipe run, Parquet")
    dkp = get("(e) duckdb totals, Parquet")
    print("Ratios (time ratios; a throughput ratio is the inverse):")
    ratio("curpipe/DuckDB time, totals on gzip CSV (c)/(b)", cp, dk, "<= 0.40", lambda v: v <= 0.4)
    ratio("curpipe/igzip time, totals on gzip CSV (c)/(a)", cp, ig, "<= 2.5", lambda v: v <= 2.5)
    ratio("curpipe/gzip time, totals on gzip CSV (c)/(a)", cp, gz, None, None)
    ratio("curpipe/DuckDB time, curated Parquet out (d)", cpd, dkc, "<= 1.0", lambda v: v <= 1.0)
    ratio("curpipe/DuckDB time, totals on Parquet in (e)", cpp, dkp, "<= 1.0", lambda v: v <= 1.0)
    # Throughput ratio: the two reports hold the same rows in about the same bytes.
    one = next((recs[lb] for lb in CP1 if lb in recs), None)
    four = recs.get("curpipe run, 4-file gzip CSV report")
    if one and four:
        ratio("4-file/1-file throughput, curpipe", float(four["mb"]) / med(four),
              float(one["mb"]) / med(one), ">= 1.8", lambda v: v >= 1.8)
    else:
        ratio("4-file/1-file throughput, curpipe", None, None, "", None)
    print("\n".join(lines))
    rss = [x["rss_mb"] for lb, r in recs.items() if "curpipe" in lb for x in r["runs"]]
    if rss:
        print(f"  curpipe's largest peak RSS here: {max(rss):.0f} MB (target: under 1 GB for a 5 GB input,"
              " flat with input size: compare two --size runs)")
    notes = [r.get("note") for r in recs.values() if r.get("note")]
    for n in dict.fromkeys(notes):
        print(f"note: {n}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="sub", required=True)
    s = sub.add_parser("duckdb-totals")
    s.add_argument("--input", required=True)
    s.add_argument("--format", choices=["csv", "parquet"], required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--threads", type=int, default=2)
    s.set_defaults(fn=cmd_duckdb_totals)
    s = sub.add_parser("duckdb-curated")
    s.add_argument("--input", required=True)
    s.add_argument("--format", choices=["csv", "parquet"], default="csv")
    s.add_argument("--out", required=True)
    s.add_argument("--threads", type=int, default=2)
    s.add_argument("--report-id", default="bench")
    s.add_argument("--report-version", default="1")
    s.set_defaults(fn=cmd_duckdb_curated)
    s = sub.add_parser("lake-totals")
    s.add_argument("--lake", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--threads", type=int, default=2)
    s.set_defaults(fn=cmd_lake_totals)
    s = sub.add_parser("time")
    s.add_argument("--label", required=True)
    s.add_argument("--reps", type=int, default=3)
    s.add_argument("--clean")
    s.add_argument("--out", required=True)
    s.add_argument("--meta", action="append")
    s.add_argument("cmd", nargs=argparse.REMAINDER)
    s.set_defaults(fn=cmd_time)
    s = sub.add_parser("compare")
    s.add_argument("--expected", required=True)
    s.add_argument("actual", nargs="+", metavar="NAME=daily.csv")
    s.set_defaults(fn=cmd_compare)
    s = sub.add_parser("report")
    s.add_argument("--results", required=True)
    s.set_defaults(fn=cmd_report)
    a = p.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
