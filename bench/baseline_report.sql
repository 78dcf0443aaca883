-- The report's aggregates in one SQL statement, for the sqlite3 shell baseline
-- (bench/run.py runs `sqlite3 -json LEDGER ".read bench/baseline_report.sql"`).
-- Which forecasts count: each forecaster's last forecast made at or before
-- the claim's resolution, on active claims; ambiguous/void are excluded and
-- counted.  Bins: integer percents, [0,10], (10,20], ..., (90,100].  Log score
-- in bits with p clipped to [0.001, 0.999].  Murphy terms from the bins.
--
-- The final forecasts are picked in one pass, as claimtrack's own report does
-- (services/report/final.py): claims read in id order (`status || ''` and
-- `c.id + 0` keep the planner off the other indexes), each claim's forecasts
-- through the (claim_id, forecaster, made_at) index, and a bare-column max()
-- per (claim, forecaster) over a key that orders like (made_at, id): SQLite
-- documents that the bare columns come from the row holding the maximum.
-- No window function, no sort.
WITH final AS MATERIALIZED (
  SELECT f.probability AS p, c.outcome AS outcome, f.backfilled AS backfilled,
         max(f.made_at || char(1) || (f.id + 1000000000000000000)) AS latest
  FROM claims c JOIN forecasts f ON f.claim_id = c.id + 0
  WHERE c.status || '' = 'active' AND c.outcome IS NOT NULL AND f.made_at < c.resolved_at
  GROUP BY c.id, f.forecaster
),
scored AS MATERIALIZED (
  SELECT p, CASE outcome WHEN 'yes' THEN 1.0 ELSE 0.0 END AS o, backfilled,
         CASE WHEN CAST(round(p * 100) AS INTEGER) <= 10 THEN 0
              ELSE (CAST(round(p * 100) AS INTEGER) - 1) / 10 END AS bin,
         min(max(p, 0.001), 0.999) AS pc
  FROM final WHERE outcome IN ('yes', 'no')
),
bins AS MATERIALIZED (
  SELECT bin, count(*) AS n, sum(p) AS sp, sum(p * p) AS spp, sum(o) AS so, sum(p * o) AS spo
  FROM scored GROUP BY bin
),
totals AS (
  SELECT sum(n) AS n, sum(so) / sum(n) AS obar FROM bins
)
SELECT 'bin' AS kind, bin / 10.0 AS lo, (bin + 1) / 10.0 AS hi, n,
       sp / n AS mean_forecast, so / n AS observed,
       ((so / n) + 3.8414588206941254 / (2 * n)
        - 1.959963984540054 * sqrt((so / n) * (1 - so / n) / n + 3.8414588206941254 / (4.0 * n * n)))
         / (1 + 3.8414588206941254 / n) AS ci_low,
       ((so / n) + 3.8414588206941254 / (2 * n)
        + 1.959963984540054 * sqrt((so / n) * (1 - so / n) / n + 3.8414588206941254 / (4.0 * n * n)))
         / (1 + 3.8414588206941254 / n) AS ci_high,
       NULL AS n_excluded, NULL AS brier, NULL AS brier_0_2, NULL AS log_score_bits,
       NULL AS reliability, NULL AS resolution, NULL AS uncertainty,
       NULL AS within_bin_variance, NULL AS within_bin_covariance
FROM bins
UNION ALL
SELECT 'overall', NULL, NULL, (SELECT n FROM totals), NULL, (SELECT obar FROM totals), NULL, NULL,
       (SELECT count(*) FROM final WHERE outcome IN ('ambiguous', 'void')),
       avg((p - o) * (p - o)), 2 * avg((p - o) * (p - o)),
       avg(o * log2(pc) + (1 - o) * log2(1 - pc)),
       (SELECT sum(n * (sp / n - so / n) * (sp / n - so / n)) FROM bins) / (SELECT n FROM totals),
       (SELECT sum(n * (so / n - (SELECT obar FROM totals)) * (so / n - (SELECT obar FROM totals))) FROM bins)
         / (SELECT n FROM totals),
       (SELECT obar * (1 - obar) FROM totals),
       (SELECT sum(spp - sp * sp / n) FROM bins) / (SELECT n FROM totals),
       2 * (SELECT sum(spo - sp * so / n) FROM bins) / (SELECT n FROM totals)
FROM scored
UNION ALL
SELECT CASE backfilled WHEN 1 THEN 'backfilled' ELSE 'contemporaneous' END, NULL, NULL, count(*), avg(p), avg(o),
       NULL, NULL, NULL, avg((p - o) * (p - o)), 2 * avg((p - o) * (p - o)),
       avg(o * log2(pc) + (1 - o) * log2(1 - pc)), NULL, NULL, NULL, NULL, NULL
FROM scored GROUP BY backfilled;
