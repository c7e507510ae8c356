// `kefu` — the command-line face of the same wasm core the browser runs. Reads one input per
// stdin line and writes one JSON line per input line (errors included), so results are
// scriptable and comparable with the widget's.

import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unwrap, type CoreAnalysis, type CoreAssistant, type CoreModule, type CreateKefuCore } from './core-api.js';
import { KefuError, OutOfRangeError, InvalidArgumentError, toKefuError } from './errors.js';
import { parseManifest, sha256Hex, verifyModel, type ModelName } from './models.js';
import {
  DEFAULT_BEAM,
  TRANSLATION_FILE_ROLES,
  Translator,
  configureOrt,
  parseTranslationManifest,
  translationRoute,
  type OrtModule,
  type TranslationFileBytes,
  type TranslationHop,
} from './translation.js';
import { SDK_VERSION } from './version.js';

const MAX_LINE_CHARS = 4000;
const MAX_LINE_BYTES = 10_000;

const AVAILABLE = ['answer', 'langid', 'classify', 'translate'] as const;

const MAIN_HELP = `Usage: kefu <command> [options]

The Kefu assistant's wasm core on the command line: reads one input per line on stdin and
writes one JSON line per input line to stdout.

Commands:
  answer --kb FILE     answer customer questions from a knowledge base
  langid               identify the language of each line
  classify             language, intent, sentiment, urgency and entities of each line
  translate --from L --to L
                       machine-translate each line (plain text out, one line per line)

Options:
  -h, --help           show this help (kefu <command> --help for a command)
  -V, --version        print the SDK and core versions

Exit status: 0 success, 1 runtime failure (unreadable or invalid KB, missing wasm build,
missing or corrupted model), 2 usage error (unknown command or option, unknown language pair).
`;

const MODELS_HELP = `  --models DIR         folder of manifest.json and the model files (default: the models next
                       to cli.mjs, sdk-js/dist/models, else the repository's models/); every
                       file is checked against its sha256 in the manifest before it is used`;

const ANSWER_HELP = `Usage: kefu answer --kb FILE [--locale LOCALE] [--models DIR | --no-models]

Reads one customer question per stdin line and writes one JSON line per input line:
  {"decision","reason","entry_id","score","confidence","answer","language","understanding"}
decision is answer | clarify | escalate; reason is matched | ambiguous | no_match |
no_match_twice | customer_request, and with the models negative_sentiment | urgent |
out_of_scope | ambiguous_intent | intent_matched; answer and language are the KB answer's text
and language; understanding is what kefu classify prints for the line (null with --no-models);
fields the core did not return are null. Every line is answered on its own (the conversation
state is reset between lines). A line that cannot be answered (empty, over ${MAX_LINE_CHARS} characters
or ${MAX_LINE_BYTES} bytes, not UTF-8) yields {"error":{"code","message"}} on its line; no line is skipped.

Options:
  --kb FILE            knowledge-base JSON file (required; format: docs/knowledge-base.md)
  --locale LOCALE      the customer's locale passed to the core, e.g. es-ES (default: en)
${MODELS_HELP}
  --no-models          answer by word overlap alone, as a browser without the models does
  -h, --help           show this help

Example:
  printf 'How long does delivery take?\\n' | kefu answer --kb demo/kb.json
`;

const LANGID_HELP = `Usage: kefu langid [--models DIR]

Reads one message per stdin line and writes one JSON line per input line:
  {"lang","lang_confidence"}
lang is one of en zh es fr de pt it ja ko nl; lang_confidence is the model's probability (0..1).
A line that cannot be read (empty, over ${MAX_LINE_CHARS} characters or ${MAX_LINE_BYTES} bytes, not UTF-8) yields
{"error":{"code","message"}} on its line; no line is skipped.

Options:
${MODELS_HELP}
  -h, --help           show this help

Example:
  printf '¿Dónde está mi pedido?\\n' | kefu langid
`;

const CLASSIFY_HELP = `Usage: kefu classify [--models DIR]

Reads one customer message per stdin line and writes one JSON line per input line:
  {"lang","lang_confidence","intent","confidence","top","sentiment","sentiment_confidence",
   "urgency","urgency_confidence","entities"}
intent is one of the 37 intents (shared/taxonomy/intents.json) and top the three likeliest
[{"intent","score"}]; sentiment is negative | neutral | positive; urgency is low | normal |
high | urgent; entities are [{"type","text","value","start","end"}] with type order_number |
tracking_number | email | phone | country | amount (amounts add "amount" and "currency") and
start/end UTF-16 offsets into the line. No knowledge base is needed. A line that cannot be read
(empty, too long, not UTF-8) yields {"error":{"code","message"}} on its line.

Options:
${MODELS_HELP}
  -h, --help           show this help

Example:
  printf 'I want to return these shoes\\n' | kefu classify
`;

const TRANSLATE_HELP = `Usage: kefu translate --from LANG --to LANG [--models DIR] [--beam N] [--informal]

Reads text on stdin and writes its machine translation to stdout, exactly one output line per
input line: an empty (or blank) line gives an empty line, and a line that cannot be translated
(not UTF-8, over ${MAX_LINE_CHARS} characters or ${MAX_LINE_BYTES} bytes, or refused by the core) gives an empty
line and a message naming the line on stderr. Pairs with English use one model (mt-en-de for
en<->de); other pairs go through English (de->es = de->en, then en->es). The models are the
manifest's translation entries, checked against their sha256 like the browser's, and run with
the same wasm core and ONNX Runtime Web (wasm) as the browser.

Options:
  --from LANG          language of the input, e.g. de
  --to LANG            language to translate into, e.g. en
${MODELS_HELP}
  --beam N             beam width, 1 (greedy) to 8 (default: ${DEFAULT_BEAM})
  --informal           neutral register (default: formal, as the widget writes to customers)
  -h, --help           show this help

Example:
  printf 'Wo ist meine Bestellung?\\n\\nVielen Dank!\\n' | kefu translate --from de --to en
`;

class UsageError extends Error {}

/** A runtime failure reported as "kefu <command>: message" with exit status 1. */
class CliFailure extends Error {}

type Command = 'answer' | 'langid' | 'classify' | 'translate';
const HELP: Record<Command, string> = { answer: ANSWER_HELP, langid: LANGID_HELP, classify: CLASSIFY_HELP, translate: TRANSLATE_HELP };
const VALID_OPTIONS: Record<Command, string[]> = {
  answer: ['--kb', '--locale', '--models', '--no-models', '--help'],
  langid: ['--models', '--help'],
  classify: ['--models', '--help'],
  translate: ['--from', '--to', '--models', '--beam', '--informal', '--help'],
};

interface CliOptions {
  kb: string | null;
  locale: string;
  /** null: the default folder; false: no models (answer --no-models). */
  models: string | null | false;
  from: string | null;
  to: string | null;
  beam: number;
  formal: boolean;
}

function parseArgs(command: Command, args: string[]): CliOptions | 'help' {
  const options: CliOptions = { kb: null, locale: 'en', models: null, from: null, to: null, beam: DEFAULT_BEAM, formal: true };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, null];
    const value = () => {
      const next = inline ?? args[++i];
      if (next === undefined) throw new UsageError(`kefu ${command}: ${name} needs a value`);
      return next;
    };
    const valid = VALID_OPTIONS[command];
    if (name === '-h' || name === '--help') return 'help';
    else if (!valid.includes(name)) throw new UsageError(`kefu ${command}: unknown option ${JSON.stringify(arg)}; valid options: ${valid.join(', ')}`);
    else if (name === '--kb') options.kb = value();
    else if (name === '--locale') options.locale = value();
    else if (name === '--models') options.models = value();
    else if (name === '--no-models') options.models = false;
    else if (name === '--from') options.from = value();
    else if (name === '--to') options.to = value();
    else if (name === '--informal') options.formal = false;
    else if (name === '--beam') {
      const raw = value();
      const beam = Number(raw);
      if (!/^[0-9]+$/.test(raw) || beam < 1 || beam > 8) throw new UsageError(`kefu translate: --beam ${JSON.stringify(raw)} must be an integer from 1 to 8`);
      options.beam = beam;
    }
  }
  if (command === 'translate') {
    for (const flag of ['from', 'to'] as const) {
      const language = options[flag];
      if (!language) throw new UsageError(`kefu translate: --${flag} LANG is required (see kefu translate --help)`);
      if (!/^[a-z]{2,3}$/.test(language)) throw new UsageError(`kefu translate: --${flag} ${JSON.stringify(language)} is not a language code such as de or en`);
    }
    if (options.from === options.to) throw new UsageError(`kefu translate: --from and --to are both ${options.from}`);
  }
  if (command === 'answer') {
    if (!options.kb) throw new UsageError('kefu answer: --kb FILE is required (see kefu answer --help)');
    if (!/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$/.test(options.locale)) {
      throw new UsageError(`kefu answer: --locale ${JSON.stringify(options.locale)} is not a BCP 47 locale such as en or es-ES`);
    }
  }
  return options;
}

async function loadCore(): Promise<CoreModule> {
  const wasmUrl = new URL('./kefu-core.wasm', import.meta.url);
  const glueUrl = new URL('./kefu-core.mjs', import.meta.url);
  if (!existsSync(fileURLToPath(wasmUrl)) || !existsSync(fileURLToPath(glueUrl))) {
    throw new Error(`${fileURLToPath(wasmUrl)} or kefu-core.mjs is missing: run ./scripts/build.sh`);
  }
  const wasmBinary = await readFile(wasmUrl);
  const factory = ((await import(glueUrl.href)) as { default: CreateKefuCore }).default;
  // The glue is built for web/worker; in Node the binary must be handed over (see contracts.md).
  return factory({ wasmBinary });
}

/** The models folder: --models DIR, else sdk-js/dist/models, else the repository's models/. */
function modelsDir(explicit: string | null): string {
  if (explicit !== null) return resolve(explicit);
  const candidates = [fileURLToPath(new URL('./models/', import.meta.url)), fileURLToPath(new URL('../../models/', import.meta.url))];
  return candidates.find((dir) => existsSync(join(dir, 'manifest.json'))) ?? candidates[0];
}

/** The models folder's manifest.json; CliFailure when it cannot be read. */
async function readManifest(dir: string): Promise<{ manifestPath: string; manifestText: string }> {
  const manifestPath = join(dir, 'manifest.json');
  try {
    return { manifestPath, manifestText: await readFile(manifestPath, 'utf8') };
  } catch (error) {
    throw new CliFailure(`cannot read ${manifestPath}: ${(error as Error).message} (run ./scripts/build.sh, or pass --models DIR)`);
  }
}

/**
 * Loads the named models into `assistant`, each checked against the manifest's sha256 first.
 * Throws CliFailure naming the file for a missing manifest or model, a mismatch or a refusal.
 */
async function loadModels(assistant: CoreAssistant, dir: string, names: readonly ModelName[]): Promise<void> {
  const { manifestPath, manifestText } = await readManifest(dir);
  let entries;
  try {
    entries = parseManifest(manifestText, manifestPath);
  } catch (error) {
    throw new CliFailure(toKefuError(error).message);
  }
  for (const name of names) {
    const entry = entries.find((candidate) => candidate.name === name);
    if (!entry) throw new CliFailure(`${manifestPath} lists no "${name}" model`);
    const path = join(dir, entry.file);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path));
    } catch (error) {
      throw new CliFailure(`cannot read ${path}: ${(error as Error).message}`);
    }
    try {
      await verifyModel(entry, bytes, path);
      unwrap(name === 'langid' ? assistant.loadLanguageModel(bytes) : assistant.loadIntentModel(bytes));
    } catch (error) {
      const message = toKefuError(error).message;
      throw new CliFailure(message.startsWith(path) ? message : `${path}: ${message}`);
    }
  }
}

/** Splits stdin into lines of raw bytes (so invalid UTF-8 is detected per line, not replaced). */
async function* stdinLines(): AsyncGenerator<Buffer> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let newline: number;
    while ((newline = pending.indexOf(0x0a)) !== -1) {
      yield pending.subarray(0, newline);
      pending = pending.subarray(newline + 1);
    }
  }
  if (pending.length) yield pending;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function decodeLine(bytes: Buffer, lineNumber: number, noun: string): string {
  const trimmed = bytes.length && bytes[bytes.length - 1] === 0x0d ? bytes.subarray(0, -1) : bytes;
  let text: string;
  try {
    text = decoder.decode(trimmed);
  } catch {
    throw new InvalidArgumentError(`line ${lineNumber}: not valid UTF-8`);
  }
  if (!text.trim()) throw new InvalidArgumentError(`line ${lineNumber}: empty ${noun}`);
  const chars = [...text].length;
  if (chars > MAX_LINE_CHARS || trimmed.length > MAX_LINE_BYTES) {
    throw new OutOfRangeError(`line ${lineNumber}: ${noun} too long (${chars} characters, ${trimmed.length} bytes; limits ${MAX_LINE_CHARS} characters, ${MAX_LINE_BYTES} bytes)`);
  }
  return text;
}

/** The classify line: every field present, null where a model said nothing. */
function classifyFields(value: CoreAnalysis): Record<string, unknown> {
  return {
    lang: value.lang ?? null,
    lang_confidence: value.lang_confidence ?? null,
    intent: value.intent ?? null,
    confidence: value.confidence ?? null,
    top: value.top ?? [],
    sentiment: value.sentiment ?? null,
    sentiment_confidence: value.sentiment_confidence ?? null,
    urgency: value.urgency ?? null,
    urgency_confidence: value.urgency_confidence ?? null,
    entities: value.entities ?? [],
  };
}

function answerLine(assistant: CoreAssistant, text: string, locale: string, withModels: boolean): Record<string, unknown> {
  const reset = assistant.resetConversation();
  if (reset && typeof reset === 'object') unwrap(reset);
  const value = unwrap(assistant.ask(text, JSON.stringify({ locale })));
  return {
    decision: value.decision ?? null,
    reason: value.reason ?? null,
    entry_id: value.entry_id ?? null,
    score: value.score ?? null,
    confidence: value.confidence ?? null,
    answer: value.answer?.text ?? null,
    language: value.answer?.language ?? null,
    understanding: withModels && value.understanding ? classifyFields(value.understanding) : null,
  };
}

function write(line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(`${line}\n`, (error) => (error ? reject(error) : resolve()));
  });
}

/** Runs `handle` on every stdin line, writing exactly one JSON line per input line. */
async function eachLine(noun: string, handle: (text: string) => Record<string, unknown>): Promise<void> {
  let lineNumber = 0;
  for await (const bytes of stdinLines()) {
    lineNumber++;
    let output: Record<string, unknown>;
    try {
      output = handle(decodeLine(bytes, lineNumber, noun));
    } catch (error) {
      const kefuError = toKefuError(error);
      const message = kefuError.message.startsWith(`line ${lineNumber}:`) ? kefuError.message : `line ${lineNumber}: ${kefuError.message}`;
      output = { error: { code: kefuError.code, message } };
    }
    await write(JSON.stringify(output));
  }
}

/** ONNX Runtime Web from dist/ort (the browser's copy), its wasm handed over as bytes (Node's fetch cannot read files). */
async function loadOrt(): Promise<OrtModule> {
  const base = new URL('./ort/', import.meta.url);
  const files = ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'].map((file) => new URL(file, base));
  const missing = files.filter((url) => !existsSync(fileURLToPath(url)));
  if (missing.length) throw new CliFailure(`${missing.map((url) => fileURLToPath(url)).join(', ')} missing: run ./scripts/build.sh`);
  const ort = (await import(files[0].href)) as OrtModule;
  configureOrt(ort, { mjsUrl: files[1].href, wasmUrl: files[2].href, wasmBinary: new Uint8Array(await readFile(files[2])) });
  return ort;
}

/** Reads and verifies the files of every pair on the route, then loads them. */
async function loadRoute(translator: Translator, dir: string, from: string, to: string): Promise<TranslationHop[]> {
  const { manifestPath, manifestText } = await readManifest(dir);
  let route: TranslationHop[];
  try {
    const entries = parseTranslationManifest(manifestText, manifestPath);
    if (!entries.length) throw new CliFailure(`${manifestPath} lists no translation models (entries with "kind": "translation")`);
    route = translationRoute(entries, from, to);
  } catch (error) {
    if (error instanceof CliFailure) throw error;
    const kefuError = toKefuError(error);
    // An unknown pair is the caller's mistake (exit 2); a malformed manifest is a runtime failure.
    if (kefuError.code === 'not_found') throw new UsageError(`kefu translate: ${kefuError.message.replace(/^translate: /, '')} (in ${manifestPath})`);
    throw new CliFailure(kefuError.message);
  }
  for (const hop of route) {
    if (translator.has(hop.entry)) continue;
    const files = {} as TranslationFileBytes;
    for (const role of TRANSLATION_FILE_ROLES) {
      const spec = hop.entry.files[role];
      const path = join(dir, spec.file);
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(path));
      } catch (error) {
        throw new CliFailure(`cannot read ${path} (model ${hop.entry.name}): ${(error as Error).message}`);
      }
      const actual = await sha256Hex(bytes);
      if (actual !== spec.sha256) {
        throw new CliFailure(
          `${path}: sha256 mismatch: the file has ${actual} (${bytes.length} bytes), the manifest says ${spec.sha256} (${spec.bytes} bytes); ` +
            'the file is corrupted or not the one the manifest describes',
        );
      }
      files[role] = bytes;
    }
    try {
      await translator.addPair(hop.entry, files, (role) => join(dir, hop.entry.files[role].file));
    } catch (error) {
      throw new CliFailure(toKefuError(error).message);
    }
  }
  return route;
}

/** One output line per input line: the translation, or an empty line (with the reason on stderr). */
async function translateLines(translator: Translator, route: TranslationHop[], options: CliOptions): Promise<void> {
  let lineNumber = 0;
  for await (const bytes of stdinLines()) {
    lineNumber++;
    let output = '';
    try {
      const trimmed = bytes.length && bytes[bytes.length - 1] === 0x0d ? bytes.subarray(0, -1) : bytes;
      const blank = !decoder.decode(trimmed).trim();
      if (!blank) {
        const text = decodeLine(bytes, lineNumber, 'line');
        const value = await translator.translate(text, route, { formal: options.formal, beam: options.beam });
        // Whatever the model does, one input line stays one output line.
        output = value.text.replace(/[\r\n\u2028\u2029]+/g, ' ').trim();
      }
    } catch (error) {
      const kefuError = toKefuError(error);
      const message = kefuError.message.startsWith(`line ${lineNumber}:`) ? kefuError.message : `line ${lineNumber}: ${kefuError.message}`;
      process.stderr.write(`kefu translate: ${message}\n`);
      output = '';
    }
    await write(output);
  }
}

async function runTranslate(options: CliOptions): Promise<number> {
  const core = await loadCore();
  const assistant = new core.Assistant();
  try {
    // The files are checked first; a core without translator is reported when the pair loads.
    const translator = new Translator(await loadOrt(), assistant);
    const route = await loadRoute(translator, modelsDir(options.models || null), options.from as string, options.to as string);
    await translateLines(translator, route, options);
    return 0;
  } catch (error) {
    if (!(error instanceof CliFailure)) throw error;
    process.stderr.write(`kefu translate: ${error.message}\n`);
    return 1;
  } finally {
    assistant.delete();
  }
}

async function run(command: Command, args: string[]): Promise<number> {
  const options = parseArgs(command, args);
  if (options === 'help') {
    process.stdout.write(HELP[command]);
    return 0;
  }
  if (command === 'translate') return runTranslate(options);
  let kbText: string | null = null;
  if (command === 'answer') {
    try {
      kbText = await readFile(options.kb as string, 'utf8');
    } catch (error) {
      throw new CliFailure(`cannot read --kb ${options.kb}: ${(error as Error).message}`);
    }
  }
  const core = await loadCore();
  const assistant = new core.Assistant();
  try {
    if (kbText !== null) {
      try {
        unwrap(assistant.loadKnowledgeBase(kbText));
      } catch (error) {
        throw new CliFailure(`${options.kb}: ${toKefuError(error).message}`);
      }
    }
    const withModels = options.models !== false;
    if (withModels) {
      await loadModels(assistant, modelsDir(options.models || null), command === 'langid' ? ['langid'] : ['langid', 'nlu']);
    }
    if (command === 'answer') {
      await eachLine('question', (text) => answerLine(assistant, text, options.locale, withModels));
    } else if (command === 'langid') {
      await eachLine('message', (text) => {
        const value = unwrap(assistant.identifyLanguage(text));
        return { lang: value.lang, lang_confidence: value.lang_confidence };
      });
    } else {
      await eachLine('message', (text) => classifyFields(unwrap(assistant.analyze(text))));
    }
    return 0;
  } catch (error) {
    if (!(error instanceof CliFailure)) throw error;
    process.stderr.write(`kefu ${command}: ${error.message}\n`);
    return 1;
  } finally {
    assistant.delete();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stderr.write(MAIN_HELP);
    return 2;
  }
  if (command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(MAIN_HELP);
    return 0;
  }
  if (command === '-V' || command === '--version') {
    let coreVersion = 'unavailable';
    try {
      coreVersion = (await loadCore()).version();
    } catch {
      // version printing must work without a wasm build
    }
    process.stdout.write(`kefu sdk ${SDK_VERSION}, core ${coreVersion}\n`);
    return 0;
  }
  if ((AVAILABLE as readonly string[]).includes(command)) return run(command as Command, rest);
  throw new UsageError(
    `kefu: unknown command ${JSON.stringify(command)}; valid commands: ${AVAILABLE.join(', ')}; see kefu --help`,
  );
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`kefu: ${error instanceof KefuError || error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
