// `kefu` — the command-line face of the same wasm core the browser runs. Reads one input per
// stdin line and writes one JSON line per input line (errors included), so results are
// scriptable and comparable with the widget's.

import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { unwrap, type CoreAssistant, type CoreModule, type CreateKefuCore } from './core-api.js';
import { KefuError, OutOfRangeError, InvalidArgumentError, toKefuError } from './errors.js';
import { SDK_VERSION } from './version.js';

const MAX_LINE_CHARS = 4000;
const MAX_LINE_BYTES = 10_000;

const AVAILABLE = ['answer'] as const;
const NOT_YET = ['langid', 'classify', 'translate'] as const;

const MAIN_HELP = `Usage: kefu <command> [options]

The Kefu assistant's wasm core on the command line: reads one input per line on stdin and
writes one JSON line per input line to stdout.

Commands:
  answer --kb FILE     answer customer questions from a knowledge base
  langid               not available yet (next releases)
  classify             not available yet (next releases)
  translate            not available yet (next releases)

Options:
  -h, --help           show this help (kefu <command> --help for a command)
  -V, --version        print the SDK and core versions

Exit status: 0 success, 1 runtime failure (unreadable or invalid KB, missing wasm build),
2 usage error (unknown command or option, command not available yet).
`;

const ANSWER_HELP = `Usage: kefu answer --kb FILE [--locale LOCALE]

Reads one customer question per stdin line and writes one JSON line per input line:
  {"decision","reason","entry_id","score","confidence","answer","language"}
decision is answer | clarify | escalate; reason is matched | ambiguous | no_match |
no_match_twice | customer_request; answer and language are the KB answer's text and language;
fields the core did not return are null. Every line is answered on its own (the conversation
state is reset between lines). A line that cannot be answered (empty, over ${MAX_LINE_CHARS} characters
or ${MAX_LINE_BYTES} bytes, not UTF-8) yields {"error":{"code","message"}} on its line; no line is skipped.

Options:
  --kb FILE            knowledge-base JSON file (required; format: docs/knowledge-base.md)
  --locale LOCALE      the customer's locale passed to the core, e.g. es-ES (default: en)
  -h, --help           show this help

Example:
  printf 'How long does delivery take?\\n' | kefu answer --kb demo/kb.json
`;

class UsageError extends Error {}

interface AnswerOptions {
  kb: string;
  locale: string;
}

function parseAnswerArgs(args: string[]): AnswerOptions | 'help' {
  let kb: string | null = null;
  let locale = 'en';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, null];
    const value = () => {
      const next = inline ?? args[++i];
      if (next === undefined) throw new UsageError(`kefu answer: ${name} needs a value`);
      return next;
    };
    if (name === '-h' || name === '--help') return 'help';
    else if (name === '--kb') kb = value();
    else if (name === '--locale') locale = value();
    else throw new UsageError(`kefu answer: unknown option ${JSON.stringify(arg)}; valid options: --kb, --locale, --help`);
  }
  if (!kb) throw new UsageError('kefu answer: --kb FILE is required (see kefu answer --help)');
  if (!/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$/.test(locale)) {
    throw new UsageError(`kefu answer: --locale ${JSON.stringify(locale)} is not a BCP 47 locale such as en or es-ES`);
  }
  return { kb, locale };
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

function decodeLine(bytes: Buffer, lineNumber: number): string {
  const trimmed = bytes.length && bytes[bytes.length - 1] === 0x0d ? bytes.subarray(0, -1) : bytes;
  let text: string;
  try {
    text = decoder.decode(trimmed);
  } catch {
    throw new InvalidArgumentError(`line ${lineNumber}: not valid UTF-8`);
  }
  if (!text.trim()) throw new InvalidArgumentError(`line ${lineNumber}: empty question`);
  const chars = [...text].length;
  if (chars > MAX_LINE_CHARS || trimmed.length > MAX_LINE_BYTES) {
    throw new OutOfRangeError(`line ${lineNumber}: question too long (${chars} characters, ${trimmed.length} bytes; limits ${MAX_LINE_CHARS} characters, ${MAX_LINE_BYTES} bytes)`);
  }
  return text;
}

function answerLine(assistant: CoreAssistant, text: string, locale: string): Record<string, unknown> {
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
  };
}

function write(line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(`${line}\n`, (error) => (error ? reject(error) : resolve()));
  });
}

async function runAnswer(args: string[]): Promise<number> {
  const options = parseAnswerArgs(args);
  if (options === 'help') {
    process.stdout.write(ANSWER_HELP);
    return 0;
  }
  let kbText: string;
  try {
    kbText = await readFile(options.kb, 'utf8');
  } catch (error) {
    process.stderr.write(`kefu answer: cannot read --kb ${options.kb}: ${(error as Error).message}\n`);
    return 1;
  }
  const core = await loadCore();
  const assistant = new core.Assistant();
  try {
    try {
      unwrap(assistant.loadKnowledgeBase(kbText));
    } catch (error) {
      process.stderr.write(`kefu answer: ${options.kb}: ${toKefuError(error).message}\n`);
      return 1;
    }
    let lineNumber = 0;
    for await (const bytes of stdinLines()) {
      lineNumber++;
      let output: Record<string, unknown>;
      try {
        output = answerLine(assistant, decodeLine(bytes, lineNumber), options.locale);
      } catch (error) {
        const kefuError = toKefuError(error);
        const message = kefuError.message.startsWith(`line ${lineNumber}:`) ? kefuError.message : `line ${lineNumber}: ${kefuError.message}`;
        output = { error: { code: kefuError.code, message } };
      }
      await write(JSON.stringify(output));
    }
    return 0;
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
  if ((NOT_YET as readonly string[]).includes(command)) {
    process.stderr.write(`kefu ${command}: not available yet (next releases)\n`);
    return 2;
  }
  if (command === 'answer') return runAnswer(rest);
  throw new UsageError(
    `kefu: unknown command ${JSON.stringify(command)}; valid commands: ${AVAILABLE.join(', ')} ` +
      `(not available yet: ${NOT_YET.join(', ')}); see kefu --help`,
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
