// Machine translation, shared by the worker and the CLI: the manifest's translation entries
// (one per language pair with English), the route between two languages (pivoting through
// English), and the driver that runs the core's translation job with ONNX Runtime Web.
//
// The core owns the SentencePiece tokeniser, placeholder protection and the beam search; this
// file only feeds its encoder/decoder inputs to the two ONNX sessions and hands the logits back.
// int64 tensors are built from the core's Int32Arrays here (BigInt64Array).

import { unwrap, type CoreAssistant, type CoreStatus, type CoreTranslationJob, type CoreTranslationResult } from './core-api.js';
import { DataLossError, InternalError, InvalidArgumentError, NotFoundError, UnavailableError, toKefuError } from './errors.js';
import { RELATIVE_PATH, SHA256_HEX, manifestModels } from './models.js';
import { expandWeights } from './weights.js';

/** The language every pair is built around: other pairs go through it (de→es = de→en→es). */
export const PIVOT_LANGUAGE = 'en';
/** Beam width used when the caller gives none. */
export const DEFAULT_BEAM = 2;
/** The decoder's inputs that change every step (and its caches, `self_*`, fed back from its
 *  `new_self_*` outputs); the others come from the encoder. */
const DECODER_STEP_INPUTS = new Set(['token', 'position', 'reorder', 'row_src']);
const isStepInput = (name: string) => DECODER_STEP_INPUTS.has(name) || name.startsWith('self_');

export type TranslationFileRole = 'config' | 'spm' | 'encoder' | 'decoder' | 'weights' | 'shortlist';
/** `weights` (weights.q8) holds the weights of both graphs, int8-packed; it is expanded into the
 *  external-data file "weights.bin" the two graphs reference (weights.ts).
 *  `shortlist` (shortlist.bin) is the lexical shortlist the core picks each batch's output
 *  tokens from. */
export const TRANSLATION_FILE_ROLES: readonly TranslationFileRole[] = ['config', 'spm', 'encoder', 'decoder', 'weights', 'shortlist'];

/** One file of a translation model; `file` is relative to the manifest. */
export interface TranslationFile {
  file: string;
  bytes: number;
  sha256: string;
}

/** A manifest entry of `kind: "translation"` (lazy: fetched only when a conversation needs it). */
export interface TranslationEntry {
  /** "mt-en-de" */
  name: string;
  /** Always English and one other language, e.g. ["en", "de"]. */
  languages: [string, string];
  version: string;
  files: Record<TranslationFileRole, TranslationFile>;
  /** All the files gzipped (what a browser downloads with Content-Encoding: gzip), if known. */
  gzipBytes: number | null;
}

/** config.json of a translation model. */
export interface TranslationConfig {
  layers: number;
  heads: number;
  head_dim: number;
  vocab: number;
  max_positions: number;
  languages: string[];
}

/** One model run of a route: `entry` translates `from` → `to`. */
export interface TranslationHop {
  from: string;
  to: string;
  entry: TranslationEntry;
}

const LANGUAGE_CODE = /^[a-z]{2,3}$/;

/**
 * The translation entries of manifest.json (entries of any other kind are skipped). Throws
 * InvalidArgumentError naming `where` and the field for a malformed translation entry.
 */
export function parseTranslationManifest(text: string, where: string): TranslationEntry[] {
  const models = manifestModels(text, where);
  const entries: TranslationEntry[] = [];
  models.forEach((raw: unknown, index) => {
    const entry = raw as Record<string, unknown>;
    if (!entry || typeof entry !== 'object' || entry.kind !== 'translation') return;
    const at = `${where}: models[${index}]`;
    const languages = entry.languages;
    if (
      !Array.isArray(languages) ||
      languages.length !== 2 ||
      !languages.every((language) => typeof language === 'string' && LANGUAGE_CODE.test(language)) ||
      !languages.includes(PIVOT_LANGUAGE) ||
      languages[0] === languages[1]
    ) {
      throw new InvalidArgumentError(`${at}.languages: must be ["${PIVOT_LANGUAGE}", "<language>"]`);
    }
    const files = entry.files as Record<string, Record<string, unknown>> | undefined;
    if (!files || typeof files !== 'object') throw new InvalidArgumentError(`${at}.files: must be an object {${TRANSLATION_FILE_ROLES.join(', ')}}`);
    const checked = {} as Record<TranslationFileRole, TranslationFile>;
    for (const role of TRANSLATION_FILE_ROLES) {
      const file = files[role];
      const fat = `${at}.files.${role}`;
      if (!file || typeof file !== 'object') throw new InvalidArgumentError(`${fat}: is missing`);
      // No "..", no absolute path and no URL: a manifest only names files beside or below it.
      if (typeof file.file !== 'string' || !RELATIVE_PATH.test(file.file) || file.file.split('/').includes('..')) {
        throw new InvalidArgumentError(`${fat}.file: ${JSON.stringify(file.file)} must be a relative path such as "mt/en-de/encoder.onnx"`);
      }
      if (typeof file.sha256 !== 'string' || !SHA256_HEX.test(file.sha256)) throw new InvalidArgumentError(`${fat}.sha256: must be 64 lower-case hex digits`);
      if (!Number.isInteger(file.bytes) || (file.bytes as number) <= 0) throw new InvalidArgumentError(`${fat}.bytes: must be a positive integer`);
      checked[role] = { file: file.file, bytes: file.bytes as number, sha256: file.sha256 };
    }
    const pair = [...languages].sort().join('-');
    if (entries.some((seen) => [...seen.languages].sort().join('-') === pair)) {
      throw new InvalidArgumentError(`${at}.languages: the pair ${pair} is listed twice`);
    }
    entries.push({
      name: typeof entry.name === 'string' ? entry.name : `mt-${languages[0]}-${languages[1]}`,
      languages: [languages[0], languages[1]],
      version: typeof entry.version === 'string' ? entry.version : 'unknown',
      files: checked,
      gzipBytes: Number.isInteger(entry.gzip_bytes) && (entry.gzip_bytes as number) > 0 ? (entry.gzip_bytes as number) : null,
    });
  });
  return entries;
}

/** The language other than English in a pair. */
export function pairLanguage(entry: TranslationEntry): string {
  return entry.languages[0] === PIVOT_LANGUAGE ? entry.languages[1] : entry.languages[0];
}

/** Every language the entries can translate to and from (English included when any pair exists). */
export function translationLanguages(entries: readonly TranslationEntry[]): string[] {
  if (!entries.length) return [];
  return [PIVOT_LANGUAGE, ...entries.map(pairLanguage).filter((language) => language !== PIVOT_LANGUAGE)].filter(
    (language, index, all) => all.indexOf(language) === index,
  );
}

/**
 * The models to run for `from` → `to`: one hop when either side is English, two through English
 * otherwise. Throws InvalidArgumentError for from = to and NotFoundError naming the missing pair.
 */
export function translationRoute(entries: readonly TranslationEntry[], from: string, to: string): TranslationHop[] {
  if (from === to) throw new InvalidArgumentError(`translate: from and to are both "${from}"`);
  const available = translationLanguages(entries);
  const find = (language: string) => entries.find((entry) => pairLanguage(entry) === language);
  const hop = (a: string, b: string): TranslationHop => {
    const entry = find(a === PIVOT_LANGUAGE ? b : a);
    if (!entry) {
      throw new NotFoundError(
        `translate: no model for ${from}→${to}` +
          (from !== PIVOT_LANGUAGE && to !== PIVOT_LANGUAGE ? ` (through ${PIVOT_LANGUAGE}: ${a}→${b} is missing)` : '') +
          `; available languages: ${available.length ? available.join(', ') : 'none'}`,
      );
    }
    return { from: a, to: b, entry };
  };
  if (from === PIVOT_LANGUAGE || to === PIVOT_LANGUAGE) return [hop(from, to)];
  return [hop(from, PIVOT_LANGUAGE), hop(PIVOT_LANGUAGE, to)];
}

/** Parses and checks config.json against the manifest entry it belongs to. */
export function parseTranslationConfig(bytes: Uint8Array, entry: TranslationEntry, where: string): TranslationConfig {
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new DataLossError(`${where}: not valid JSON (${(cause as Error).message})`);
  }
  for (const key of ['layers', 'heads', 'head_dim', 'vocab', 'max_positions'] as const) {
    if (!Number.isInteger(config?.[key]) || (config[key] as number) <= 0) throw new DataLossError(`${where}: ${key} must be a positive integer`);
  }
  const languages = config.languages;
  if (!Array.isArray(languages) || [...languages].sort().join() !== [...entry.languages].sort().join()) {
    throw new DataLossError(`${where}: languages ${JSON.stringify(languages)} do not match the manifest's ${JSON.stringify(entry.languages)}`);
  }
  return config as unknown as TranslationConfig;
}

// ---- ONNX Runtime ---------------------------------------------------------------------------

/** The part of onnxruntime-web's API this driver uses. */
export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
  readonly type: string;
}
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release?(): Promise<void>;
}
export interface OrtModule {
  env: {
    logLevel?: string;
    wasm: {
      numThreads?: number;
      proxy?: boolean;
      simd?: boolean;
      wasmPaths?: string | { mjs?: string; wasm?: string };
      wasmBinary?: ArrayBufferLike | Uint8Array;
    };
  };
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: string, data: unknown, dims: readonly number[]) => OrtTensor;
}

/**
 * Sets ONNX Runtime Web up the one way Kefu uses it: the plain wasm backend, one thread (no
 * SharedArrayBuffer, so no cross-origin isolation is needed), no proxy worker (we already are in
 * one), its files from `wasmPaths` (our own copy: ORT must never fall back to a CDN) and, when
 * given, the wasm bytes themselves (fetched and verified by the caller, so ORT fetches nothing).
 */
export function configureOrt(ort: OrtModule, options: { mjsUrl: string; wasmUrl: string; wasmBinary?: Uint8Array | null }): void {
  ort.env.logLevel = 'error';
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmPaths = { mjs: options.mjsUrl, wasm: options.wasmUrl };
  if (options.wasmBinary) ort.env.wasm.wasmBinary = options.wasmBinary;
}

/** The files of one pair, verified. */
export type TranslationFileBytes = Record<TranslationFileRole, Uint8Array>;

interface LoadedPair {
  entry: TranslationEntry;
  config: TranslationConfig;
  encoder: OrtSession;
  decoder: OrtSession;
}

/** Options of one translation. */
export interface TranslateOptions {
  /** Formal register (Sie, usted, vous) where the target language has one: on for text to the customer. */
  formal?: boolean;
  /** Beam width (1 = greedy). Default 2. */
  beam?: number;
}

/** The result of translating a text, possibly through English. */
export interface TranslationValue {
  text: string;
  from: string;
  to: string;
  /** The languages in between (["en"] for a pivoted translation). */
  via: string[];
  /** Some input did not fit the model's length and was cut. */
  truncated: boolean;
  /** Protected spans (order numbers, e-mails, URLs, amounts) the model dropped and the core put back. */
  missingPlaceholders: number;
}

function int64(values: ArrayLike<number>): BigInt64Array {
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i]);
  return out;
}

/** The core's results are `{ok, value}` statuses in this codebase; accept a bare value too. */
function coreValue<T>(value: CoreStatus<T> | T): T {
  if (value && typeof value === 'object' && 'ok' in (value as object) && typeof (value as { ok: unknown }).ok === 'boolean') {
    return unwrap(value as CoreStatus<T>);
  }
  return value as T;
}

/**
 * Translation models loaded into one core Assistant (the tokeniser) and ORT (the networks).
 * Pairs are added once (`addPair`); `translate` runs one hop per model, through English.
 */
export class Translator {
  private readonly pairs = new Map<string, LoadedPair>();

  constructor(
    private readonly ort: OrtModule,
    private readonly assistant: CoreAssistant,
  ) {}

  /** True when the core has the translation API at all (a core from before translation has not). */
  static supported(assistant: CoreAssistant): boolean {
    return typeof assistant.loadTranslationModel === 'function' && typeof assistant.beginTranslation === 'function';
  }

  has(entry: TranslationEntry): boolean {
    return this.pairs.has(entry.name);
  }

  /** Loads a pair from its verified files: config check, tokeniser into the core, two ORT sessions. */
  async addPair(entry: TranslationEntry, files: TranslationFileBytes, where: (role: TranslationFileRole) => string = (role) => entry.files[role].file): Promise<void> {
    if (this.pairs.has(entry.name)) return;
    if (!Translator.supported(this.assistant)) {
      throw new UnavailableError('this kefu-core build has no translator (rebuild the wasm core)');
    }
    const config = parseTranslationConfig(files.config, entry, where('config'));
    const language = pairLanguage(entry);
    try {
      coreValue(this.assistant.loadTranslationModel!(language, files.spm, files.shortlist));
    } catch (cause) {
      const error = toKefuError(cause);
      const file = error.message.startsWith('translation shortlist:') ? where('shortlist') : where('spm');
      throw new DataLossError(`${file}: the core refused it: ${error.message}`);
    }
    const weights = expandWeights(files.weights, where('weights'));  // DataLossError names the file
    const session = async (role: 'encoder' | 'decoder') => {
      try {
        return await this.ort.InferenceSession.create(files[role], {
          executionProviders: ['wasm'],
          graphOptimizationLevel: 'all',
          externalData: [{ path: 'weights.bin', data: weights }],
        });
      } catch (cause) {
        throw new DataLossError(`${where(role)}: ONNX Runtime refused it: ${(cause as Error)?.message ?? String(cause)}`);
      }
    };
    const encoder = await session('encoder');
    const decoder = await session('decoder');
    this.pairs.set(entry.name, { entry, config, encoder, decoder });
  }

  /** Translates `text` along `route` (from translationRoute); every pair on it must be added. */
  async translate(text: string, route: readonly TranslationHop[], options: TranslateOptions = {}): Promise<TranslationValue> {
    if (!route.length) throw new InvalidArgumentError('translate: empty route');
    let current = text;
    let truncated = false;
    let missingPlaceholders = 0;
    for (const [index, hop] of route.entries()) {
      const pair = this.pairs.get(hop.entry.name);
      if (!pair) throw new UnavailableError(`translate: the ${hop.entry.name} model is not loaded`);
      // Formality applies to what the reader finally sees, i.e. the last hop only.
      const last = index === route.length - 1;
      const result = await this.runHop(pair, current, hop.from, hop.to, { formal: last ? !!options.formal : false, beam: options.beam ?? DEFAULT_BEAM });
      current = result.text;
      truncated ||= !!result.truncated;
      missingPlaceholders += Number(result.missingPlaceholders ?? 0) || 0;
    }
    return {
      text: current,
      from: route[0].from,
      to: route[route.length - 1].to,
      via: route.slice(1).map((hop) => hop.from),
      truncated,
      missingPlaceholders,
    };
  }

  /** One model run: per batch of sentences (the core sorts them by length), the encoder once, then
   *  the decoder step by step; until the core's search is done. */
  private async runHop(pair: LoadedPair, text: string, from: string, to: string, options: Required<TranslateOptions>): Promise<CoreTranslationResult> {
    const { Tensor } = this.ort;
    const { heads, head_dim: headDim, max_positions: maxPositions } = pair.config;
    const job: CoreTranslationJob = coreValue(this.assistant.beginTranslation!(text, from, to, { formal: options.formal, beam: options.beam }));
    try {
      let fromEncoder: Record<string, OrtTensor> | undefined;  // the batch's encoder outputs
      let cache: Record<string, OrtTensor> | undefined;  // self_k_<layer>, self_v_<layer>
      // The core stops each batch at max_positions; this only guards against a search that never ends.
      const stepLimit = (maxPositions + 1) * Math.max(1, job.batches());
      for (let step = 0; !job.done(); step++) {
        if (step > stepLimit) throw new InternalError(`${pair.entry.name}: the search did not finish within ${stepLimit} steps`);
        const s = job.stepInput();
        const rows = s.tokens.length;
        if (s.position === 0) {
          // A batch starts: its encoder run, and an empty self-attention cache per layer with as
          // many rows as the first step has, so whatever the first reorder indices are (each <
          // rows), they are in range. The encoder also gathers the output layer's weights for the
          // batch's output tokens (the core's pick from the shortlist, the logits' columns); its
          // outputs feed the decoder at every step of the batch.
          const input = job.encoderInput();
          const encoded = await pair.encoder.run({
            src: new Tensor('int64', int64(input.ids), [input.rows, input.cols]),
            shortlist: new Tensor('int64', int64(input.outputIds), [input.outputIds.length]),
          });
          const names = pair.decoder.inputNames.filter((name) => !isStepInput(name));
          const missingOutput = names.find((name) => !encoded[name]);
          if (missingOutput) throw new InternalError(`${pair.entry.name}: the encoder did not return ${missingOutput}`);
          fromEncoder = Object.fromEntries(names.map((name) => [name, encoded[name]]));
          cache = Object.fromEntries(pair.decoder.inputNames.filter((name) => name.startsWith('self_'))
            .map((name) => [name, new Tensor('float32', new Float32Array(0), [rows, heads, 0, headDim])]));
        }
        if (!fromEncoder || !cache) throw new InternalError(`${pair.entry.name}: the core's first step was not at position 0`);
        const out = await pair.decoder.run({
          token: new Tensor('int64', int64(s.tokens), [rows]),
          position: new Tensor('int64', BigInt64Array.of(BigInt(s.position)), [1]),
          reorder: new Tensor('int64', int64(s.reorder), [rows]),
          row_src: new Tensor('int64', int64(s.rowSrc), [rows]),
          ...cache,
          ...fromEncoder,
        });
        const logits = out.logits;
        if (!logits || !(logits.data instanceof Float32Array)) throw new InternalError(`${pair.entry.name}: the decoder returned no float32 logits`);
        const advanced = job.advance(logits.data, rows);
        if (advanced && typeof advanced === 'object') coreValue(advanced);
        const next: Record<string, OrtTensor> = {};
        for (const name of Object.keys(cache)) {
          const grown = out[`new_${name}`];
          if (!grown) throw new InternalError(`${pair.entry.name}: the decoder did not return new_${name}`);
          next[name] = grown;
        }
        cache = next;
      }
      return coreValue(job.result());
    } finally {
      job.delete();
    }
  }
}
