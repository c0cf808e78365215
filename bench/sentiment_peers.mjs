// bench/sentiment_peers.mjs PREDFILE NPMDIR — scores the messages of PREDFILE
// (written by tools/sentiment-train/train -P: "set<TAB>lang<TAB>gold<TAB>rules
// <TAB>learned<TAB>both<TAB>text") with lightweight sentiment peers installed
// under NPMDIR by bench/sentiment_peers.sh, maps each peer's score to
// negative / neutral / positive with its documented threshold and prints
// macro-F1 per set and language: ours (rules, both) against every peer that
// supports the language.  Run through bench/sentiment_peers.sh.
import { createRequire } from 'module';
import { readFileSync } from 'fs';
import { resolve } from 'path';

const [predFile, npmDir] = process.argv.slice(2);
if (!predFile || !npmDir) {
	console.error('usage: node bench/sentiment_peers.mjs PREDFILE NPMDIR');
	process.exit(2);
}
const require = createRequire(resolve(npmDir, 'node_modules') + '/');
const slow = process.env.PEERS_SLOW === '1';

const CLASSES = ['neg', 'neu', 'pos'];
const sign3 = (x) => (x > 0 ? 'pos' : x < 0 ? 'neg' : 'neu');

// ---- the peers ----------------------------------------------------------
const peers = [];

{
	// AFINN-165 (English); documented reading: score > 0 positive, < 0 negative
	const Sentiment = require('sentiment');
	const s = new Sentiment();
	peers.push({
		name: 'afinn', pkg: 'sentiment', langs: new Set(['en']),
		score: (text) => sign3(s.analyze(text).score),
	});
}
{
	// VADER (English); documented thresholds: compound >= 0.05 / <= -0.05
	const vader = require('vader-sentiment');
	peers.push({
		name: 'vader', pkg: 'vader-sentiment', langs: new Set(['en']),
		score: (text) => {
			const c = vader.SentimentIntensityAnalyzer.polarity_scores(text).compound;
			return c >= 0.05 ? 'pos' : c <= -0.05 ? 'neg' : 'neu';
		},
	});
}
{
	// nlp.js: one language package per language; its own "vote" (score sign)
	const { Container } = require('@nlpjs/core');
	const { SentimentAnalyzer } = require('@nlpjs/sentiment');
	const langs = ['ar', 'ca', 'da', 'de', 'en', 'es', 'eu', 'fr', 'gl', 'it', 'ko', 'pt'];
	const container = new Container();
	for (const l of langs) {
		const mod = require(`@nlpjs/lang-${l}`);
		container.use(mod[`Lang${l[0].toUpperCase()}${l[1]}`]);
	}
	const an = new SentimentAnalyzer({ container });
	peers.push({
		name: 'nlp.js', pkg: '@nlpjs/sentiment', langs: new Set(langs),
		score: async (text, lang) => {
			const r = await an.process({ locale: lang, text });
			return r.sentiment.vote === 'positive' ? 'pos'
				: r.sentiment.vote === 'negative' ? 'neg' : 'neu';
		},
	});
}
{
	// multilang-sentiment: AFINN-165 translated to many languages, fuzzy
	// word matching (≈ 80 ms per message here): the cross-validation sets
	// (≈ 20,000 tweets) only with PEERS_SLOW=1.  Score sign like AFINN.
	const ml = require('multilang-sentiment');
	peers.push({
		name: 'multilang', pkg: 'multilang-sentiment',
		langs: new Set(['ar', 'ca', 'da', 'de', 'en', 'es', 'eu', 'fr', 'gl', 'it', 'ko', 'pt']),
		skipSet: slow ? new Set() : new Set(['cv']),
		score: (text, lang) => sign3(ml(text, lang).score),
	});
}

// ---- data ----------------------------------------------------------------
// train -P names an evaluation set after its directory's last component;
// bench/sentiment-blind (never trained or tuned on) is printed as "blind"
const setName = { 'sentiment-blind': 'blind' };
const groups = new Map();	// "set lang" -> rows
for (const line of readFileSync(predFile, 'utf8').split('\n')) {
	if (!line) continue;
	const f = line.split('\t');
	const [dirSet, lang, gold, rules, learned, both] = f;
	const set = setName[dirSet] || dirSet;
	const text = f.slice(6).join('\t');
	const key = `${set}\t${lang}`;
	if (!groups.has(key)) groups.set(key, []);
	groups.get(key).push({ gold, rules, learned, both, text });
}

// same definition as tools/sentiment-train/train.c macro_f1(): per-class F1
// (0 where precision + recall is 0), averaged over the three classes
function macroF1(golds, preds) {
	let s = 0;
	for (const c of CLASSES) {
		let tp = 0, fp = 0, fn = 0;
		for (let i = 0; i < golds.length; i++) {
			if (preds[i] === c && golds[i] === c) tp++;
			else if (preds[i] === c) fp++;
			else if (golds[i] === c) fn++;
		}
		const p = tp + fp ? tp / (tp + fp) : 0;
		const r = tp + fn ? tp / (tp + fn) : 0;
		s += p + r > 0 ? (2 * p * r) / (p + r) : 0;
	}
	return s / 3;
}

// ---- scoring -------------------------------------------------------------
const setOrder = ['cv', 'sentiment-ood', 'blind', 'sentiment-dev'];
const keys = [...groups.keys()].sort((a, b) => {
	const [sa, la] = a.split('\t'), [sb, lb] = b.split('\t');
	return (setOrder.indexOf(sa) - setOrder.indexOf(sb)) || la.localeCompare(lb);
});
const cols = ['rules', 'both', ...peers.map((p) => p.name)];
const out = [];
out.push(`| set | lang | n | ${cols.join(' | ')} | best |`);
out.push(`|${'---|'.repeat(cols.length + 4)}`);
const wins = new Map();
for (const key of keys) {
	const [set, lang] = key.split('\t');
	const rows = groups.get(key);
	const golds = rows.map((r) => r.gold);
	const f1 = { rules: macroF1(golds, rows.map((r) => r.rules)), both: macroF1(golds, rows.map((r) => r.both)) };
	for (const p of peers) {
		if (!p.langs.has(lang) || (p.skipSet && p.skipSet.has(set))) continue;
		const preds = [];
		for (const r of rows) preds.push(await p.score(r.text, lang));
		f1[p.name] = macroF1(golds, preds);
	}
	const present = cols.filter((c) => c in f1);
	const top = Math.max(...present.map((c) => f1[c]));
	const best = present.filter((c) => f1[c].toFixed(3) === top.toFixed(3));
	const bestPeer = Math.max(-1, ...present.filter((c) => c !== 'rules' && c !== 'both').map((c) => f1[c]));
	const w = wins.get(set) || { ours: 0, peer: 0, tie: 0 };
	if (bestPeer >= 0) {
		const d = f1.both.toFixed(3) - bestPeer.toFixed(3);
		if (d > 0) w.ours++; else if (d < 0) w.peer++; else w.tie++;
	}
	wins.set(set, w);
	out.push(`| ${set} | ${lang} | ${rows.length} | ` +
		cols.map((c) => (c in f1 ? (best.includes(c) ? `**${f1[c].toFixed(3)}**` : f1[c].toFixed(3)) : '—')).join(' | ') +
		` | ${best.join(', ')} |`);
	console.error(`scored ${set} ${lang}`);
}
console.log(out.join('\n'));
console.log('');
for (const [set, w] of wins)
	console.log(`${set}: both above the best peer in ${w.ours}, below in ${w.peer}, tied in ${w.tie} languages`);
if (!slow)
	console.log('multilang not run on cv (≈ 80 ms per message); PEERS_SLOW=1 runs it');
