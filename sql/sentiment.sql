-- sentiment.sql — real-time sentiment (SPEC §4): rules, languages, profanity,
-- lexicon administration, hostile input.  Conversation aggregation and alerts
-- are in sentiment_conversation.sql.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way

-- Helper for readable checks: level and language of a message.
CREATE FUNCTION pg_temp.s(body text, lang text DEFAULT NULL) RETURNS text
    LANGUAGE sql AS $$ SELECT (r).level || ' ' || (r).language || CASE WHEN (r).profane THEN ' profane' ELSE '' END
                        FROM (SELECT omni.sentiment(body, lang) AS r) x $$;

-- neutral_by_default: no sentiment words, no opinion
SELECT pg_temp.s('Hi, I would like to check the status of order 48213.');
SELECT * FROM omni.sentiment('');
SELECT omni.sentiment(NULL) IS NULL AS null_in_null_out;

-- negation_flips: "not good" is negative, "not bad" positive
SELECT pg_temp.s('This is good'), pg_temp.s('This is not good'), pg_temp.s('not bad at all');
SELECT (omni.sentiment('I don''t like it')).score < 0 AS dont_like_negative;

-- intensifiers_and_diminishers_scale
SELECT (omni.sentiment('very good')).score > (omni.sentiment('good')).score AS very_stronger,
       (omni.sentiment('slightly good')).score < (omni.sentiment('good')).score AS slightly_weaker;

-- contrast_weights_the_second_clause: "but" in several languages
SELECT pg_temp.s('The product is great but the delivery was terrible');
SELECT pg_temp.s('El producto es bueno pero la entrega fue pésima');
SELECT pg_temp.s('Produktet er fint, men leveringen var elendig');
SELECT pg_temp.s('디자인은 예쁘지만 이틀 만에 고장났어요');
SELECT pg_temp.s('المنتج جميل لكن التوصيل سيء جدا');

-- emphasis: capitals, exclamation marks, stretched letters
SELECT (omni.sentiment('this is GREAT')).score > (omni.sentiment('this is great')).score AS caps_emphasis,
       (omni.sentiment('great!!!')).score > (omni.sentiment('great')).score AS exclamation_emphasis,
       (omni.sentiment('sooo gooood')).score > (omni.sentiment('so good')).score AS stretched_emphasis;

-- emoji_and_emoticons
SELECT pg_temp.s('thanks :)'), pg_temp.s('😡😡'), pg_temp.s('ok 👍'), pg_temp.s(':-(');

-- ten_languages: a positive and a negative message each
SELECT lang, pg_temp.s(pos) AS pos, pg_temp.s(neg) AS neg FROM (VALUES
    ('en', 'Thanks, great service!', 'Worst service ever, still waiting'),
    ('da', 'Tusind tak, super service', 'Elendig service, jeg venter stadig'),
    ('gl', 'Moitas grazas, todo perfecto', 'Servizo pésimo, sigo agardando'),
    ('ko', '정말 감사합니다 최고예요', '서비스 최악이에요'),
    ('ar', 'شكرا جزيلا، خدمة ممتازة', 'خدمة سيئة جدا'),
    ('es', 'Muchas gracias, todo perfecto', 'Pésimo servicio, sigo esperando'),
    ('fr', 'Merci beaucoup, service parfait', 'Service nul, j''attends toujours'),
    ('de', 'Vielen Dank, alles super', 'Miserabler Service, eine Frechheit'),
    ('it', 'Grazie mille, servizio ottimo', 'Servizio pessimo, una vergogna'),
    ('pt', 'Muito obrigado, tudo perfeito', 'Péssimo atendimento, que vergonha')) t(lang, pos, neg);

-- korean_endings_match_one_stem: 좋다 in the lexicon, inflected forms in messages
SELECT body, pg_temp.s(body) FROM unnest(ARRAY['좋아요', '좋습니다', '좋은 서비스', '좋았어요', '좋지 않아요', '안 좋아요']) body;

-- arabic_clitics_and_diacritics: ال / و / tashkeel / tatweel do not hide a word
SELECT body, pg_temp.s(body) FROM unnest(ARRAY['ممتاز', 'والممتاز', 'مُمْتَاز', 'ممـــتاز', 'الخدمة ليست جيدة']) body;

-- romance_and_germanic_inflection through stemming
SELECT pg_temp.s('buenísima atención'), pg_temp.s('ótimas pessoas'), pg_temp.s('enttäuschende Lieferung');

-- detect_language: script first, then words; unknown is "und"
SELECT body, omni.detect_language(body) FROM unnest(ARRAY[
    '안녕하세요 주문 문의', 'مرحبا أريد معرفة حالة طلبي', 'Where is my order?', '¿Dónde está mi pedido?',
    'Onde está o meu pedido? Ainda não chegou', 'Wo ist meine Bestellung?', 'Hvor er min ordre?', 'Où est ma commande ?',
    'Dov''è il mio ordine?', 'Onde está o meu pedido? Grazas', '12345', '注文はどこですか', 'Где мой заказ?']) body;

-- a_given_language_wins: "men" is Danish "but", an English noun
SELECT (omni.sentiment('men', 'da')).language, (omni.sentiment('good', 'pt-BR')).language;

-- profanity_caps_the_level: at most negative, severe very_negative, even if "positive"
SELECT pg_temp.s('this is fucking awesome'), pg_temp.s('you are a cunt');
-- profanity_obfuscations_are_caught
SELECT body, pg_temp.s(body) FROM unnest(ARRAY['f*ck this', 'f.u.c.k this', 'sh1t service', 'f u c k', 'fuuuuck', '$hit', 'a**hole',
    'qué m1erda', 'scheiß service', 'vaffanculo', '씨발', 'ta gueule']) body;
-- but_clean_words_are_not: Scunthorpe, assessment, "con" in Spanish
SELECT pg_temp.s('Scunthorpe office assessment'), pg_temp.s('Café con leche, por favor');

-- evidence_explains_the_score (the learned model's part: sql/sentiment_learned.sql)
SELECT jsonb_pretty(omni.sentiment_evidence('The app is not good, but support was VERY helpful!!') - 'model');
SELECT e ->> 'profane' AS profane, e -> 'terms' -> 0 -> 'rules' AS rules
  FROM omni.sentiment_evidence('f*ck this') e;

-- levels_follow_configurable_thresholds
SELECT s, omni.sentiment_level(s) FROM unnest(ARRAY[-1, -0.6, -0.3, -0.1, 0, 0.1, 0.3, 0.6, 1]::real[]) s;
BEGIN;
UPDATE omni.sentiment_threshold SET min_score = 0.2 WHERE level = 'slightly_positive';
SELECT omni.sentiment_level(0.1) AS level_after_moving_threshold;
ROLLBACK;
SELECT omni.sentiment_level(0.1) AS level_after_rollback;
BEGIN;
UPDATE omni.sentiment_threshold SET min_score = 0.9 WHERE level = 'slightly_positive';
COMMIT;
SELECT omni.sentiment_level('NaN'::real);

-- admins_extend_and_override_the_lexicon
SELECT pg_temp.s('I want a refund'), pg_temp.s('my parcel is stuck in limbo');
INSERT INTO omni.lexicon (language, term, valence, domain) VALUES
    ('en', 'refund', 0, 'billing'),            -- override the built-in -0.9
    ('en', 'stuck in limbo', -3.0, 'logistics'); -- a new phrase
SELECT pg_temp.s('I want a refund'), pg_temp.s('my parcel is stuck in limbo');
INSERT INTO omni.profanity (language, term, severity) VALUES ('en', 'frak', 2);
SELECT pg_temp.s('frak this'), pg_temp.s('fr*k this');
INSERT INTO omni.lexicon_rule (language, term, kind, weight) VALUES ('en', 'mega', 'intensifier', 0.5);
SELECT (omni.sentiment('mega good')).score > (omni.sentiment('very good')).score AS admin_intensifier;
DELETE FROM omni.lexicon WHERE NOT builtin;
SELECT pg_temp.s('I want a refund') AS back_to_builtin;
INSERT INTO omni.lexicon (language, term, valence) VALUES ('en', 'x', 9);
INSERT INTO omni.lexicon (language, term, valence) VALUES ('english', 'x', 1);
INSERT INTO omni.lexicon_rule (language, term, kind) VALUES ('en', 'x', 'booster');

-- lexicon_privileges: everyone reads, only admins write
CREATE ROLE sentiment_reader;
GRANT USAGE ON SCHEMA omni TO sentiment_reader;
SET ROLE sentiment_reader;
SELECT pg_temp.s('not good') AS reader_can_score, omni.detect_language('hej med dig') AS reader_can_detect;
SELECT count(*) > 1000 AS reader_reads_lexicon FROM omni.lexicon;
INSERT INTO omni.lexicon (language, term, valence) VALUES ('en', 'meh', -1);
RESET ROLE;
CREATE ROLE sentiment_admin IN ROLE omnichannel_admin;
GRANT USAGE ON SCHEMA omni TO sentiment_admin;
SET ROLE sentiment_admin;
INSERT INTO omni.lexicon (language, term, valence) VALUES ('en', 'meh', -1);
DELETE FROM omni.lexicon WHERE term = 'meh' AND NOT builtin;
RESET ROLE;
REVOKE USAGE ON SCHEMA omni FROM sentiment_admin;
DROP ROLE sentiment_admin;
REVOKE USAGE ON SCHEMA omni FROM sentiment_reader;
DROP ROLE sentiment_reader;

-- hostile_input_never_crashes_nor_runs_long
CREATE TEMP TABLE hostile (name text, body text);
INSERT INTO hostile VALUES
    ('one_megabyte', repeat('this is not good at all ', 44000)),
    ('one_megabyte_no_spaces', repeat('x', 1048576)),
    ('combining_marks', 'g' || repeat(chr(769), 10000) || 'ood'),
    ('zalgo', repeat('b' || chr(768) || chr(817) || chr(866) || 'ad ', 1000)),
    ('zero_width', 'g' || chr(8203) || 'o' || chr(8204) || 'o' || chr(8205) || 'd' || chr(65279)),
    ('bidi', chr(8238) || 'doog ton' || chr(8236) || chr(8294) || 'شكرا' || chr(8297)),
    ('controls', 'bad' || chr(1) || chr(7) || chr(27) || '[31m' || chr(127) || 'worse'),
    ('every_script', (SELECT string_agg(chr(c), '') FROM generate_series(33, 65000, 7) c
                       WHERE c NOT BETWEEN 55296 AND 57343)),
    ('astral_planes', (SELECT string_agg(chr(c), ' ') FROM generate_series(65536, 1114111, 997) c)),
    ('nfkc_expansion', repeat(chr(65018), 20000)),
    ('emoji_storm', repeat('😡👍🏽👨‍👩‍👧❤️‍🔥', 5000)),
    ('punctuation', repeat('!?.,:;()*#@$', 50000)),
    ('masks', repeat('f*ck s**t a**hole ', 5000)),
    ('single_letters', repeat('f u c k ', 20000)),
    ('arabic_only_marks', repeat(chr(1611) || chr(1614) || chr(1600), 30000)),
    ('hangul_jamo', repeat(chr(4352) || chr(4449) || chr(4520), 30000));
CREATE FUNCTION pg_temp.timed(body text, OUT ok boolean, OUT seconds_under_2 boolean) LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp(); r omni.sentiment_result; e jsonb;
BEGIN
    r := omni.sentiment(body);
    e := omni.sentiment_evidence(body);
    ok := r.score BETWEEN -1 AND 1 AND r.level IS NOT NULL AND (e ->> 'score')::real BETWEEN -1 AND 1;
    seconds_under_2 := clock_timestamp() - t0 < interval '2 seconds';
END $$;
SELECT name, octet_length(body) AS bytes, (pg_temp.timed(body)).* FROM hostile;
SELECT name, (e ->> 'truncated')::boolean AS truncated, jsonb_array_length(e -> 'terms') <= 64 AS evidence_bounded
  FROM (SELECT name, omni.sentiment_evidence(body) e FROM hostile WHERE name IN ('one_megabyte', 'masks')) x;
SELECT pg_temp.s('g' || chr(8203) || 'ood') AS zero_width_joined, pg_temp.s('GOOD' || repeat(chr(769), 50)) AS marks_dropped;
