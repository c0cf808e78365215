-- sentiment_quality.sql — macro-F1 over negative / neutral / positive on the
-- development set bench/sentiment-dev/<lang>.tsv, per language, through SQL.
-- The floor (0.75) guards against regressions; figures are in docs/sentiment.md.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
CREATE TEMP TABLE dev (lang text, gold text, body text);
\copy dev FROM PROGRAM 'for l in ar da de en es fr gl it ko pt; do grep -v "^#" bench/sentiment-dev/$l.tsv | sed "s/^/$l\t/"; done' WITH (FORMAT text)
CREATE TEMP VIEW scored AS
SELECT lang, gold,
       CASE WHEN (r).level < 'neutral' THEN 'neg' WHEN (r).level = 'neutral' THEN 'neu' ELSE 'pos' END AS got,
       (r).language AS detected
  FROM (SELECT lang, gold, omni.sentiment(body) AS r FROM dev) x;
CREATE TEMP VIEW f1 AS
SELECT lang, avg(CASE WHEN p + r > 0 THEN 2 * p * r / (p + r) ELSE 0 END) AS macro_f1
  FROM (SELECT l.lang, c.cls,
               coalesce(count(*) FILTER (WHERE gold = c.cls AND got = c.cls)::numeric
                        / nullif(count(*) FILTER (WHERE got = c.cls), 0), 0) AS p,
               coalesce(count(*) FILTER (WHERE gold = c.cls AND got = c.cls)::numeric
                        / nullif(count(*) FILTER (WHERE gold = c.cls), 0), 0) AS r
          FROM (SELECT DISTINCT lang FROM dev) l
          CROSS JOIN (VALUES ('neg'), ('neu'), ('pos')) c(cls)
          JOIN scored s ON s.lang = l.lang
         GROUP BY l.lang, c.cls) pr
 GROUP BY lang;
-- every_language_has_a_balanced_set
SELECT lang, count(*) FILTER (WHERE gold = 'neg') >= 10 AND count(*) FILTER (WHERE gold = 'neu') >= 10
             AND count(*) FILTER (WHERE gold = 'pos') >= 10 AS balanced
  FROM dev GROUP BY lang ORDER BY lang;
-- macro_f1_at_least_0_75_per_language
SELECT lang, macro_f1 >= 0.75 AS good_enough FROM f1 ORDER BY lang;
-- language_detected_for_most_messages
SELECT lang, avg((detected = lang)::int) >= 0.7 AS detected FROM scored GROUP BY lang ORDER BY lang;
