// The `window.Kefu` command queue. The shop's snippet may call Kefu(...) before kefu.js has
// loaded; the standard stub records the calls in Kefu.q:
//
//   window.Kefu = window.Kefu || function () { (Kefu.q = Kefu.q || []).push(arguments); };
//
// On load, `installCommandQueue` merges the settings (script data-* attributes, then
// window.kefuSettings, then queued `init` calls), starts the assistant once, replays the other
// queued calls in order and replaces window.Kefu with the live function. Calls never throw into
// the host page: failures are reported (console + `error` event) and returned as rejections of
// the promise the live function returns, which callers may ignore.

import { InvalidArgumentError, invalidChoice, toKefuError, type KefuError } from './errors.js';

export type Command = 'init' | 'open' | 'close' | 'toggle' | 'setUser' | 'setOrder' | 'setLocale' | 'on' | 'off' | 'reset' | 'ask';
export const COMMANDS: readonly Command[] = ['init', 'open', 'close', 'toggle', 'setUser', 'setOrder', 'setLocale', 'on', 'off', 'reset', 'ask'];

/** Settings for the script-tag integration (data-* attributes, window.kefuSettings or Kefu('init', ...)). */
export interface LoaderSettings {
  /** Storage namespace (data-site). Default: the KB's shop.id. */
  site?: string;
  /** Knowledge-base URL (data-kb) or object. Required before the assistant can start. */
  kb?: string | Record<string, unknown>;
  /** Escalation server (data-endpoint). Default: the KB's shop.escalation.endpoint. */
  endpoint?: string;
  /** Customer locale (data-locale). Default: navigator.language. */
  locale?: string;
  /** Interface string overrides. */
  strings?: Record<string, unknown>;
  /** Widget corner: 'right' (default) or 'left'. */
  position?: 'right' | 'left';
  /** Open the panel on load. Default: false. */
  open?: boolean;
  /** Header title. Default: the shop's name. */
  title?: string;
  /** Understanding models: true (default), false (data-models="off"), or {manifestUrl}. */
  models?: boolean | { manifestUrl: string };
  /** Machine translation: true (default) or false (data-translation="off"). */
  translation?: boolean;
}

/** What the live function drives once the assistant and widget exist. */
export interface Controller {
  open(): void;
  close(): void;
  toggle(): void;
  setUser(user: unknown): void;
  setOrder(order: unknown): void;
  setLocale(locale: unknown): void;
  on(event: unknown, listener: unknown): void;
  off(event: unknown, listener: unknown): void;
  reset(): Promise<void>;
  ask(text: unknown): Promise<unknown>;
}

export interface KefuFunction {
  (command: Command, ...args: unknown[]): Promise<unknown>;
  q?: ArrayLike<unknown>[];
  /** True on the live function (the stub has no such flag). */
  loaded: true;
  version: string;
}

export interface QueueHost {
  Kefu?: ((...args: unknown[]) => unknown) & { q?: ArrayLike<unknown>[]; loaded?: boolean };
  kefuSettings?: LoaderSettings;
}

export interface InstallOptions {
  /** Settings from the script tag's data-* attributes. */
  defaults: LoaderSettings;
  /** Creates the assistant and widget; called at most once. */
  start(settings: LoaderSettings): Controller;
  /** Reports a failed call (console, `error` event). */
  report(error: KefuError): void;
  version: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/** Installs the live Kefu function on `host` (normally window) and replays the queued calls. */
export function installCommandQueue(host: QueueHost, options: InstallOptions): KefuFunction {
  const existing = host.Kefu;
  if (existing && existing.loaded) return existing as unknown as KefuFunction; // kefu.js included twice
  const queued: unknown[][] = Array.from(existing?.q ?? [], (args) => Array.from(args));

  let settings: LoaderSettings = { ...options.defaults };
  if (isPlainObject(host.kefuSettings)) settings = { ...settings, ...host.kefuSettings };
  let controller: Controller | null = null;
  const waiting: { args: unknown[]; resolve: (value: unknown) => void; reject: (error: unknown) => void }[] = [];

  const start = (): void => {
    if (controller || !settings.kb) return;
    try {
      controller = options.start(settings);
    } catch (error) {
      options.report(toKefuError(error));
      return;
    }
    for (const call of waiting.splice(0)) run(call.args).then(call.resolve, call.reject);
  };

  const run = async (args: unknown[]): Promise<unknown> => {
    const [command, ...rest] = args;
    if (!COMMANDS.includes(command as Command)) throw invalidChoice('Kefu command', command, COMMANDS);
    if (command === 'init') {
      if (controller) return undefined; // init twice is harmless: the first settings stay
      if (rest[0] !== undefined && !isPlainObject(rest[0])) throw new InvalidArgumentError("Kefu('init', settings): settings must be an object");
      settings = { ...settings, ...(rest[0] as LoaderSettings | undefined) };
      if (!settings.kb) throw new InvalidArgumentError("Kefu('init', settings): settings.kb (the knowledge-base URL) is required");
      start();
      return undefined;
    }
    if (!controller) {
      // Not started yet (no kb so far): keep the call until init arrives.
      return new Promise((resolve, reject) => waiting.push({ args, resolve, reject }));
    }
    const c: Controller = controller;
    switch (command as Exclude<Command, 'init'>) {
      case 'open': return c.open();
      case 'close': return c.close();
      case 'toggle': return c.toggle();
      case 'setUser': return c.setUser(rest[0]);
      case 'setOrder': return c.setOrder(rest[0]);
      case 'setLocale': return c.setLocale(rest[0]);
      case 'on': return c.on(rest[0], rest[1]);
      case 'off': return c.off(rest[0], rest[1]);
      case 'reset': return c.reset();
      case 'ask': return c.ask(rest[0]);
    }
  };

  const safeRun = (args: unknown[]): Promise<unknown> => {
    const result = run(args).catch((error: unknown) => {
      const kefuError = toKefuError(error);
      options.report(kefuError);
      throw kefuError;
    });
    // Callers of a command queue rarely await; an ignored rejection must not surface as an
    // "unhandled rejection" in the host's monitoring.
    result.catch(() => {});
    return result;
  };

  const kefu = ((...args: unknown[]) => safeRun(args)) as KefuFunction;
  kefu.loaded = true;
  kefu.version = options.version;
  host.Kefu = kefu as unknown as QueueHost['Kefu'];

  // Settings from queued init calls apply before the start; the other calls replay in order.
  for (const args of queued) {
    if (args[0] === 'init' && isPlainObject(args[1])) settings = { ...settings, ...(args[1] as LoaderSettings) };
  }
  start();
  for (const args of queued) if (args[0] !== 'init') void safeRun(args);
  return kefu;
}
