-- generated from data/lexicon/*.tsv by make; do not edit
INSERT INTO omni.lexicon (language, term, valence, builtin) VALUES
('en','good',1.9,true),
('en','bad',-2.5,true),
('en',':)',2,true);
INSERT INTO omni.lexicon_rule (language, term, kind, weight, builtin) VALUES
('en','not','negator',NULL,true),
('en','very','intensifier',0.293,true),
('en','the','stopword',NULL,true),
('en','s','suffix',NULL,true);
INSERT INTO omni.profanity (language, term, severity, builtin) VALUES
('en','fuck',2,true);
