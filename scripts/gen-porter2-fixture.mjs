// gen-porter2-fixture.mjs - writes tests/unit/fixtures/porter2.txt, the
// English stemmer's expected stems (tests/unit/test_text.c checks each).
//
// The words: every word of README.md and docs/*.md (lower-cased, letters
// and apostrophes), plus the Snowball English algorithm's tricky cases.
// The stems: the npm package snowball-stemmers 0.6.0 (a JavaScript port of
// the Snowball stemmers), which is not a dependency of this repository:
//
//   npm install --prefix <some temporary directory> snowball-stemmers@0.6.0
//   SNOWBALL_STEMMERS=<that directory>/node_modules/snowball-stemmers \
//     node scripts/gen-porter2-fixture.mjs
//
// That package predates Snowball 3.0, whose English algorithm valkey-search
// 1.2 links (Snowball 3.0.1) and src/index/stem_en.c implements.  The words
// whose stem Snowball 3.0 changed are listed in SNOWBALL_3 below with their
// 3.0.1 stems and override the package's; the script fails if one of them no
// longer differs (a sign the package or the list changed).  A new word that
// 3.0 stems differently must be added there.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const pkg = process.env.SNOWBALL_STEMMERS || 'snowball-stemmers';
const stemmer = require(pkg).newStemmer('english');

// Snowball 3.0's changes to the English stemmer, with the 3.0.1 stems.
const SNOWBALL_3 = {
  // a double after exactly a, e or o is kept
  added: 'add', adding: 'add', egged: 'egg', odding: 'odd', ebbing: 'ebb', offing: 'off',
  // -ing after exactly "even" is kept; a consonant + "ying" is handled in step 1b
  evening: 'evening', evenings: 'evening', vying: 'vie', dyings: 'die',
  // the skis exception was dropped (Snowball 3.1 restores it)
  skis: 'skis',
  // new R1 prefixes: past, univers, later, emerg, organ
  paste: 'paste', pasted: 'paste', pastes: 'paste', pasting: 'paste',
  universal: 'universal', universities: 'universiti', university: 'universiti',
  lateral: 'lateral', laterally: 'lateral', emergency: 'emergenc',
  organic: 'organic', organization: 'organiz', organize: 'organiz',
  // -ogist -> -og
  biologist: 'biolog', ecologist: 'ecolog', geologist: 'geolog',
};

const TRICKY = [
  'generously', 'generate', 'generates', 'generated', 'generating', 'general', 'generally',
  'generic', 'generically', 'generous', 'dying', 'lying', 'tying', 'vying', 'dyings', 'skis',
  'skies', 'sky', 'news', 'howe', 'atlas', 'cosmos', 'bias', 'andes', 'cried', 'cries', 'ties',
  'tied', 'succeed', 'proceed', 'exceed', 'succeeding', 'exceeding', 'proceeding', 'agreed',
  'feed', 'arsenal', 'arsenic', 'communism', 'community', 'communication', 'inning', 'outing',
  'canning', 'herring', 'earring', 'herrings', 'idly', 'gently', 'ugly', 'early', 'only',
  'singly', "'s", "dog's", "dogs'", "'dog", "dog's'", "o'clock", "'''", 'y', 'yy', 'yyy',
  'youth', 'yelling', 'saying', 'sayings', 'player', 'enjoying', 'cry', 'by', 'say', 'crying',
  'happy', 'happily', 'hopping', 'hoping', 'hopped', 'hoped', 'luxuriating', 'troubled',
  'sized', 'gaps', 'gas', 'this', 'kiwis', 'caresses', 'ponies', 'caress', 'cats', 'fluently',
  'fulness', 'hopefulness', 'conditional', 'rational', 'valency', 'hesitancy', 'digitizer',
  'conformabli', 'radically', 'differently', 'vilely', 'analogously', 'vietnamization',
  'predication', 'operator', 'feudalism', 'decisiveness', 'hopefulness', 'callousness',
  'formality', 'sensitivity', 'sensibility', 'triplicate', 'formative', 'formalize',
  'electricity', 'electrical', 'hopeful', 'goodness', 'revival', 'allowance', 'inference',
  'airliner', 'gyroscopic', 'adjustable', 'defensible', 'irritant', 'replacement',
  'adjustment', 'dependent', 'adoption', 'homologou', 'communism', 'activate', 'angulariti',
  'homologous', 'effective', 'bowdlerize', 'probate', 'rate', 'cease', 'controll', 'roll',
  'fluently', 'abli', 'ogi', 'analogi', 'archaeology', 'consign', 'consigned', 'consigning',
  'consignment', 'knack', 'knackered', 'knightly', 'kneeling', 'ow', 'on', 'at', 'bed',
  'shed', 'shred', 'bead', 'embed', 'beds', 'rap', 'trap', 'entrap', 'uproot', 'bestow',
  'disturb', 'past', 'paste', 'pasted', 'universe', 'university', 'later', 'lateral',
  'emerge', 'emergency', 'organ', 'organic', 'organize', 'geologist', 'geology', 'adding',
  'evening', 'even', 'eggs', 'offing', 'ebbing', 'inter', 'internal', 'interest',
];

const words = new Set(TRICKY);
const texts = [join(root, 'README.md'),
  ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(root, 'docs', f))];
for (const f of texts) {
  for (const w of readFileSync(f, 'utf8').toLowerCase().split(/[^a-z']+/)) {
    if (w && w.length <= 40) words.add(w);
  }
}
for (const w of Object.keys(SNOWBALL_3)) words.add(w);

const lines = [];
for (const w of [...words].sort()) {
  let stem = stemmer.stem(w);
  if (w in SNOWBALL_3) {
    if (SNOWBALL_3[w] === stem) throw new Error(`${w}: Snowball 3 override equals the package's stem`);
    stem = SNOWBALL_3[w];
  }
  lines.push(`${w} ${stem}`);
}
writeFileSync(join(root, 'tests/unit/fixtures/porter2.txt'),
  '# word stem: Snowball 3.0.1 English; made by scripts/gen-porter2-fixture.mjs\n' + lines.join('\n') + '\n');
console.log(`${lines.length} words`);
