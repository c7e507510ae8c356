// kefu.js — the classic script a shop pastes (IIFE build of this file):
//
//   <script>window.Kefu = window.Kefu || function () { (Kefu.q = Kefu.q || []).push(arguments); };</script>
//   <script async src="/kefu/kefu.js" data-site="global-select" data-kb="/kb.json"></script>
//
// It finds its own folder from document.currentScript (the worker and wasm files live next to
// it), installs the command queue and mounts the widget once the page has a body.

import { KefuAssistant, type AssistantEventName } from './assistant.js';
import { installCommandQueue, type Controller, type LoaderSettings, type QueueHost } from './command-queue.js';
import { InvalidArgumentError, invalidChoice, type KefuError } from './errors.js';
import type { StringOverrides } from './i18n.js';
import { SDK_VERSION } from './version.js';
import { mountWidget, type KefuWidgetElement } from './widget.js';

function currentScript(): HTMLScriptElement | null {
  const script = document.currentScript as HTMLScriptElement | null;
  if (script?.src) return script;
  // currentScript is null when the bundle runs from a callback; fall back to the tag itself.
  const tags = document.querySelectorAll<HTMLScriptElement>('script[src*="kefu.js"]');
  return tags.length ? tags[tags.length - 1] : null;
}

function whenBodyReady(run: () => void): void {
  if (document.body) run();
  else document.addEventListener('DOMContentLoaded', run, { once: true });
}

(() => {
  const script = currentScript();
  const baseUrl = new URL('./', script?.src || document.baseURI);
  const data = script?.dataset ?? {};
  const defaults: LoaderSettings = {};
  if (data.site) defaults.site = data.site;
  if (data.kb) defaults.kb = data.kb;
  if (data.endpoint) defaults.endpoint = data.endpoint;
  if (data.locale) defaults.locale = data.locale;
  if (data.models === 'off') defaults.models = false;
  else if (data.models !== undefined && data.models !== 'on') {
    console.error(`[kefu] ${invalidChoice('data-models', data.models, ['on', 'off']).message}; loading the models`);
  }

  if (data.translation === 'off') defaults.translation = false;
  else if (data.translation !== undefined && data.translation !== 'on') {
    console.error(`[kefu] ${invalidChoice('data-translation', data.translation, ['on', 'off']).message}; translation stays on`);
  }

  let assistant: KefuAssistant | null = null;
  const report = (error: KefuError) => {
    console.error(`[kefu] ${error.name}: ${error.message}`);
    assistant?.emit('error', error);
  };

  installCommandQueue(window as unknown as QueueHost, {
    defaults,
    version: SDK_VERSION,
    report,
    start(settings): Controller {
      const live = new KefuAssistant(
        {
          kb: settings.kb as string,
          endpoint: settings.endpoint ?? null,
          locale: settings.locale ?? null,
          siteId: settings.site ?? null,
          strings: settings.strings as StringOverrides | undefined,
          models: settings.models,
          translation: typeof settings.translation === 'boolean' ? settings.translation : undefined,
        },
        baseUrl,
      );
      assistant = live;
      live.on('ready', ({ status, error }) => {
        // Tell the shop's developers why the widget runs degraded; the customer sees a notice.
        if (status === 'degraded' && error) console.warn(`[kefu] running without the assistant: ${error.message}`);
      });
      let widget: KefuWidgetElement | null = null;
      const pending: ((widget: KefuWidgetElement) => void)[] = [];
      const withWidget = (action: (widget: KefuWidgetElement) => void) => {
        if (widget) action(widget);
        else pending.push(action);
      };
      whenBodyReady(() => {
        widget = mountWidget(live, { position: settings.position, open: settings.open, title: settings.title ?? null });
        for (const action of pending.splice(0)) action(widget);
      });
      return {
        open: () => withWidget((w) => w.open()),
        close: () => withWidget((w) => w.close()),
        toggle: () => withWidget((w) => w.toggle()),
        setUser: (user) => live.setUser(user as Record<string, unknown> | null),
        setOrder: (order) => live.setOrder(order as Record<string, unknown> | null),
        setLocale: (locale) => live.setLocale(locale as string),
        on: (event, listener) => {
          live.on(event as AssistantEventName, listener as (detail: unknown) => void);
        },
        off: (event, listener) => live.off(event as AssistantEventName, listener as (detail: unknown) => void),
        reset: () => live.reset(),
        ask: (text) =>
          new Promise((resolve, reject) => {
            if (typeof text !== 'string') return reject(new InvalidArgumentError("Kefu('ask', text): text must be a string"));
            withWidget((w) => w.send(text).then(resolve, reject));
          }),
      };
    },
  });
})();
