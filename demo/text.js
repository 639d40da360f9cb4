// text.js - the demo's highlighting: the words of a shown text that the
// engine's TEXT index matched for a query, found in the page by the
// engine's own rules (src/index/tokenize.c, src/index/stem_en.c):
//
//  - words split at whitespace and control characters and at
//    valkey-search's default PUNCTUATION bytes, a backslash escaping the
//    next separator;
//  - lower-cased (String#toLowerCase: the engine folds case with full
//    Unicode case folding, which differs from it only for a few letters
//    such as ß, rare in English text);
//  - the default English stop words are never words of the index;
//  - a query word matches every word with the same Snowball English
//    (Porter2, Snowball 3.0.1) stem, words shorter than MINSTEMSIZE (4)
//    bytes being their own stem; `w*` matches words starting with w, `*w`
//    words ending with it, `%w%` words within that many edits of w.
//
// No DOM here: the page and the Node tests both import it.

export const PUNCTUATION = ',.<>{}[]"\':;!@#$%^&*()-+=~/\\|?';
export const STOP_WORDS = new Set([
  'a', 'is', 'the', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into', 'it', 'no', 'not',
  'of', 'on', 'or', 'such', 'that', 'their', 'then', 'there', 'these', 'they', 'this', 'to', 'was', 'will', 'with',
]);
export const MIN_STEM_SIZE = 4;

const SEP = new Set(PUNCTUATION);
const isSep = (c) => c <= ' ' || c === '\x7f' || SEP.has(c);

/**
 * The words of `text` as the index sees them: [{ word, start, end }],
 * `word` folded, [start, end) the UTF-16 range of the text it came from.
 * Stop words are left out (they are no words of the index).
 */
export function tokenize(text) {
  const out = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    while (i < n && isSep(text[i])) {
      if (text[i] === '\\' && i + 1 < n) break;
      i++;
    }
    if (i >= n) break;
    const start = i;
    let w = '';
    while (i < n) {
      const c = text[i];
      if (c === '\\' && i + 1 < n) {
        const next = text[i + 1];
        if (next === '\\' || isSep(next)) {
          w += next;
          i += 2;
        } else {
          break; // the backslash is a separator by default: it ends the word
        }
      } else if (isSep(c)) {
        break;
      } else {
        w += c;
        i++;
      }
    }
    if (!w) {
      i++; // a lone backslash before a non-separator
      continue;
    }
    const word = w.toLowerCase();
    if (!STOP_WORDS.has(word)) out.push({ word, start, end: i });
  }
  return out;
}

// ---- the Snowball English (Porter2) stemmer, Snowball 3.0.1 ------------------
// A port of src/index/stem_en.c on arrays of characters (code points), so
// a non-ASCII letter counts as one letter as it does there.

const VOWELS = new Set('aeiouy');
const isV = (c) => VOWELS.has(c);
const utf8Length = (s) => new TextEncoder().encode(s).length;

const EXCEPTIONS = new Map([
  ['skies', 'sky'], ['idly', 'idl'], ['gently', 'gentl'], ['ugly', 'ugli'], ['early', 'earli'], ['only', 'onli'],
  ['singly', 'singl'], ['sky', null], ['news', null], ['howe', null], ['atlas', null], ['cosmos', null], ['bias', null],
  ['andes', null],
]);
const R1_PREFIXES = ['gener', 'commun', 'arsen', 'past', 'univers', 'later', 'emerg', 'organ'];
const STEP2 = [
  ['tional', 'tion'], ['enci', 'ence'], ['anci', 'ance'], ['abli', 'able'], ['entli', 'ent'], ['izer', 'ize'],
  ['ization', 'ize'], ['ational', 'ate'], ['ation', 'ate'], ['ator', 'ate'], ['alism', 'al'], ['aliti', 'al'],
  ['alli', 'al'], ['fulness', 'ful'], ['ousli', 'ous'], ['ousness', 'ous'], ['iveness', 'ive'], ['iviti', 'ive'],
  ['biliti', 'ble'], ['bli', 'ble'], ['ogist', 'og'], ['ogi', null], ['fulli', 'ful'], ['lessli', 'less'], ['li', null],
];
const STEP3 = [
  ['tional', 'tion'], ['ational', 'ate'], ['alize', 'al'], ['icate', 'ic'], ['iciti', 'ic'], ['ical', 'ic'],
  ['ful', ''], ['ness', ''], ['ative', null],
];
const STEP4 = [
  'al', 'ance', 'ence', 'er', 'ic', 'able', 'ible', 'ant', 'ement', 'ment', 'ent', 'ism', 'ate', 'iti', 'ous', 'ive',
  'ize', 'ion',
].map((s) => [s, s === 'ion' ? null : '']);

class Word {
  constructor(chars) {
    this.w = chars;
    this.p1 = this.p2 = chars.length;
  }
  get len() {
    return this.w.length;
  }
  set len(n) {
    this.w.length = n;
  }
  endsAt(end, s) {
    if (end < s.length) return false;
    for (let j = 0; j < s.length; j++) if (this.w[end - s.length + j] !== s[j]) return false;
    return true;
  }
  ends(s) {
    return this.endsAt(this.len, s);
  }
  is(end, s) {
    return end === s.length && this.endsAt(end, s);
  }
  replace(start, r) {
    this.w.length = start;
    this.w.push(...r);
  }
  hasVowel(end) {
    for (let i = 0; i < end; i++) if (isV(this.w[i])) return true;
    return false;
  }
  /** Whether [0, end) ends in a short syllable. */
  shortv(end) {
    const w = this.w;
    if (this.endsAt(end, 'past')) return true;
    if (end === 0) return false;
    const c1 = end - 1;
    if (isV(w[c1]) || c1 === 0) return false;
    const c2 = c1 - 1;
    if (!isV(w[c2])) return false;
    if (c2 === 0) return true;
    if (w[c1] === 'w' || w[c1] === 'x' || w[c1] === 'Y') return false;
    return !isV(w[c2 - 1]);
  }
  longest(rules) {
    let best = null;
    for (const r of rules) if (r[0].length > (best?.[0].length ?? 0) && this.ends(r[0])) best = r;
    return best;
  }
}

function markRegions(x) {
  const w = x.w;
  const len = x.len;
  let i = 0;
  let prefixed = false;
  for (const p of R1_PREFIXES) {
    if (len >= p.length && w.slice(0, p.length).join('') === p) {
      x.p1 = i = p.length;
      prefixed = true;
      break;
    }
  }
  for (let region = prefixed ? 1 : 0; region < 2; region++) {
    while (i < len && !isV(w[i])) i++;
    if (i === len) return;
    i++;
    while (i < len && isV(w[i])) i++;
    if (i === len) return;
    i++;
    if (region === 0) x.p1 = i;
    else x.p2 = i;
  }
}

function step1a(x) {
  if (x.ends("'s'")) x.len -= 3;
  else if (x.ends("'s")) x.len -= 2;
  else if (x.ends("'")) x.len -= 1;
  if (x.ends('sses')) {
    x.len -= 2;
  } else if (x.ends('ied') || x.ends('ies')) {
    const s = x.len - 3;
    x.replace(s, s > 1 ? 'i' : 'ie');
  } else if (x.ends('us') || x.ends('ss')) {
    // kept
  } else if (x.ends('s')) {
    const s = x.len - 1;
    if (s > 0 && x.hasVowel(s - 1)) x.len = s;
  }
}

function step1b(x) {
  const found = ['eedly', 'ingly', 'edly', 'eed', 'ing', 'ed'].find((s) => x.ends(s));
  if (!found) return;
  const s = x.len - found.length;
  const w = x.w;
  if (found[1] === 'e') {
    if (x.is(s, 'proc') || x.is(s, 'exc') || x.is(s, 'succ')) return;
    if (s >= x.p1) x.replace(s, 'ee');
    return;
  }
  general: {
    if (found === 'ing') {
      for (const k of ['even', 'cann', 'earr', 'herr', 'inn', 'out']) {
        if (x.endsAt(s, k)) {
          if (s === k.length) return;
          break general;
        }
      }
      if (s > 1 && w[s - 1] === 'y' && s - 2 === 0 && !isV(w[0])) {
        x.replace(s - 1, 'ie');
        return;
      }
    }
  }
  if (!x.hasVowel(s)) return;
  x.len = s;
  if (x.ends('at') || x.ends('bl') || x.ends('iz')) {
    w.push('e');
    return;
  }
  for (const d of ['bb', 'dd', 'ff', 'gg', 'mm', 'nn', 'pp', 'rr', 'tt']) {
    if (x.ends(d)) {
      if (x.len === 3 && (w[0] === 'a' || w[0] === 'e' || w[0] === 'o')) return;
      x.len -= 1;
      return;
    }
  }
  if (x.len === x.p1 && x.shortv(x.len)) w.push('e');
}

function step1c(x) {
  const len = x.len;
  if (len < 2 || (x.w[len - 1] !== 'y' && x.w[len - 1] !== 'Y')) return;
  const c = len - 2;
  if (c > 0 && !isV(x.w[c])) x.w[len - 1] = 'i';
}

function step2(x) {
  const r = x.longest(STEP2);
  if (!r) return;
  const s = x.len - r[0].length;
  if (s < x.p1) return;
  if (r[1] !== null) x.replace(s, r[1]);
  else if (r[0][0] === 'o') {
    if (s > 0 && x.w[s - 1] === 'l') x.replace(s, 'og');
  } else if (s > 0 && 'cdeghkmnrt'.includes(x.w[s - 1])) x.len = s;
}

function step3(x) {
  const r = x.longest(STEP3);
  if (!r) return;
  const s = x.len - r[0].length;
  if (s < x.p1) return;
  if (r[1] !== null) x.replace(s, r[1]);
  else if (s >= x.p2) x.len = s;
}

function step4(x) {
  const r = x.longest(STEP4);
  if (!r) return;
  const s = x.len - r[0].length;
  if (s < x.p2) return;
  if (r[1] !== null) x.len = s;
  else if (s > 0 && (x.w[s - 1] === 's' || x.w[s - 1] === 't')) x.len = s;
}

function step5(x) {
  if (x.len === 0) return;
  const s = x.len - 1;
  if (x.w[s] === 'e') {
    if (s >= x.p2 || (s >= x.p1 && !x.shortv(s))) x.len = s;
  } else if (x.w[s] === 'l') {
    if (s >= x.p2 && s > 0 && x.w[s - 1] === 'l') x.len = s;
  }
}

/** The Porter2 stem of a folded word; words under minSize UTF-8 bytes are their own stem. */
export function stem(word, minSize = MIN_STEM_SIZE) {
  if (word.length === 0 || (minSize > 0 && utf8Length(word) < minSize)) return word;
  if (EXCEPTIONS.has(word)) return EXCEPTIONS.get(word) ?? word;
  const chars = Array.from(word);
  if (chars.length < 3) return word;
  if (chars[0] === "'") chars.shift();
  let yFound = false;
  if (chars[0] === 'y') {
    chars[0] = 'Y';
    yFound = true;
  }
  for (let i = 1; i < chars.length; i++) {
    if (chars[i] === 'y' && isV(chars[i - 1])) {
      chars[i] = 'Y';
      yFound = true;
    }
  }
  const x = new Word(chars);
  markRegions(x);
  step1a(x);
  step1b(x);
  step1c(x);
  step2(x);
  step3(x);
  step4(x);
  step5(x);
  const out = x.w.join('');
  return yFound ? out.replaceAll('Y', 'y') : out;
}

// ---- the query's terms ------------------------------------------------------------

/**
 * The positive terms of a text query, as matchers: [{ kind, word }] with
 * kind 'stem' (a plain word or a phrase's word), 'exact' (VERBATIM),
 * 'prefix' (w*), 'suffix' (*w) or 'fuzzy' (%w%, dist = the % count).
 * Negated words and groups (-w, -(...)), @field:{tags}, @field:[ranges],
 * $params and field names are left out: they highlight nothing.
 */
export function queryTerms(query, { verbatim = false } = {}) {
  const terms = [];
  const q = String(query)
    .replace(/@[\w.]+\s*:\s*\{[^}]*\}/g, ' ') // TAG clauses
    .replace(/@[\w.]+\s*:\s*\[[^\]]*\]/g, ' ') // NUMERIC clauses
    .replace(/=>\s*\[[^\]]*\]/g, ' ') // a KNN clause
    .replace(/@[\w.]+\s*:/g, ' '); // field names
  // Negations: -word, -"phrase", -(group) (groups may nest).
  let s = '';
  for (let i = 0; i < q.length; i++) {
    if (q[i] === '-' && (i === 0 || /[\s(|]/.test(q[i - 1]))) {
      let j = i + 1;
      while (j < q.length && q[j] === ' ') j++;
      if (q[j] === '(') {
        let depth = 0;
        for (; j < q.length; j++) {
          if (q[j] === '(') depth++;
          else if (q[j] === ')' && --depth === 0) break;
        }
      } else if (q[j] === '"') {
        j = q.indexOf('"', j + 1);
        if (j < 0) j = q.length;
      } else {
        while (j < q.length && !/[\s()|]/.test(q[j])) j++;
        j--;
      }
      i = j;
      s += ' ';
      continue;
    }
    s += q[i];
  }
  for (const m of s.matchAll(/(%{1,3})([^%\s()|"]+)\1|(\*?)([^\s()|"*~%$]+)(\*?)|\$\S+/g)) {
    if (m[0].startsWith('$')) continue;
    if (m[2] !== undefined) {
      for (const t of tokenize(m[2])) terms.push({ kind: 'fuzzy', word: t.word, dist: m[1].length });
      continue;
    }
    const [pre, body, post] = [m[3], m[4], m[5]];
    const words = tokenize(body);
    if (!words.length) continue;
    if (post && words.length === 1) terms.push({ kind: 'prefix', word: words[0].word });
    else if (pre && words.length === 1) terms.push({ kind: 'suffix', word: words[0].word });
    else for (const t of words) terms.push({ kind: verbatim ? 'exact' : 'stem', word: t.word });
  }
  return terms;
}

function editDistanceAtMost(a, b, max) {
  const x = Array.from(a);
  const y = Array.from(b);
  if (Math.abs(x.length - y.length) > max) return false;
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]);
    }
    if (best > max) return false;
    prev = cur;
  }
  return prev[y.length] <= max;
}

/** A predicate: does the (folded) word of a text match one of the query's terms? */
export function matcher(terms) {
  const stems = new Set(terms.filter((t) => t.kind === 'stem').map((t) => stem(t.word)));
  const exact = new Set(terms.filter((t) => t.kind === 'exact' || t.kind === 'stem').map((t) => t.word));
  const others = terms.filter((t) => t.kind !== 'stem' && t.kind !== 'exact');
  const cache = new Map();
  return (word) => {
    let hit = cache.get(word);
    if (hit !== undefined) return hit;
    hit = exact.has(word) || (stems.size > 0 && stems.has(stem(word))) || others.some((t) =>
      (t.kind === 'prefix' && word.startsWith(t.word)) ||
      (t.kind === 'suffix' && word.endsWith(t.word)) ||
      (t.kind === 'fuzzy' && editDistanceAtMost(word, t.word, t.dist)));
    cache.set(word, hit);
    return hit;
  };
}

/**
 * `text` cut into pieces: [{ text, mark }] where mark says the piece is a
 * matched word.  With `around` set, only a window of about that many
 * characters around the first match (or the start) is kept, "…" marking a cut.
 */
export function highlight(text, match, { around = 0 } = {}) {
  text = String(text ?? '');
  const words = tokenize(text).filter((t) => match(t.word));
  let from = 0;
  let to = text.length;
  if (around && text.length > around) {
    const first = words[0]?.start ?? 0;
    from = Math.max(0, first - Math.floor(around / 3));
    while (from > 0 && !/\s/.test(text[from - 1])) from--; // start at a word
    to = Math.min(text.length, from + around);
    while (to < text.length && !/\s/.test(text[to])) to++;
  }
  const pieces = [];
  if (from > 0) pieces.push({ text: '…', mark: false });
  let at = from;
  for (const t of words) {
    if (t.start < from || t.end > to) continue;
    if (t.start > at) pieces.push({ text: text.slice(at, t.start), mark: false });
    pieces.push({ text: text.slice(t.start, t.end), mark: true });
    at = t.end;
  }
  if (to > at) pieces.push({ text: text.slice(at, to), mark: false });
  if (to < text.length) pieces.push({ text: '…', mark: false });
  return pieces;
}
