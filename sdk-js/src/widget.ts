// <kefu-widget>: the chat widget, a view of one KefuAssistant. Everything lives in an open
// shadow root (styles isolated both ways); every piece of text is set with textContent.
// Stable hooks for tests and theming: `part` and `data-testid` attributes, `data-role` on messages.

import type { AssistantEventMap, AssistantEventName, EscalationReason, KefuAssistant, Message } from './assistant.js';
import { EVENT_NAMES, escalationReasonFor } from './assistant.js';
import { InvalidArgumentError, KefuError, UnavailableError, invalidChoice, toKefuError } from './errors.js';
import { WIDGET_CSS } from './widget-styles.js';

export type WidgetPosition = 'right' | 'left';
export const WIDGET_POSITIONS: readonly WidgetPosition[] = ['right', 'left'];

/** mountWidget's options, with their defaults. */
export interface WidgetOptions {
  /** Element the widget is appended to. Default: `document.body`. */
  container?: Element | null;
  /** Corner of the page. Default: `'right'`. */
  position?: WidgetPosition;
  /** Open the panel right away. Default: `false`. */
  open?: boolean;
  /** Header title. Default: the KB's shop name, else the localized "Help". */
  title?: string | null;
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SVG_NS = 'http://www.w3.org/2000/svg';

type Attrs = Record<string, string | boolean | undefined>;

/** Creates an element with attributes and text; the only way the widget builds DOM. */
function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === true) node.setAttribute(name, '');
    else if (typeof value === 'string') node.setAttribute(name, value);
  }
  if (text !== undefined) node.textContent = text;
  return node;
}

function chatIcon(): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z');
  svg.appendChild(path);
  return svg;
}

let sharedSheet: CSSStyleSheet | null = null;

/** Adds the stylesheet to a shadow root: a constructed sheet (CSP-safe), else a <style> element. */
function adoptStyles(root: ShadowRoot): void {
  try {
    if (!sharedSheet) {
      sharedSheet = new CSSStyleSheet();
      sharedSheet.replaceSync(WIDGET_CSS);
    }
    root.adoptedStyleSheets = [sharedSheet];
  } catch {
    // Browsers without constructable stylesheets (Safari < 16.4): needs style-src 'unsafe-inline'.
    root.appendChild(el('style', {}, WIDGET_CSS));
  }
}

interface Parts {
  launcher: HTMLButtonElement;
  panel: HTMLElement;
  title: HTMLHeadingElement;
  subtitle: HTMLParagraphElement;
  close: HTMLButtonElement;
  notice: HTMLParagraphElement;
  translationNotice: HTMLParagraphElement;
  translationProgress: HTMLDivElement;
  translationProgressLabel: HTMLSpanElement;
  translationProgressBar: HTMLProgressElement;
  log: HTMLDivElement;
  typing: HTMLDivElement;
  handoff: HTMLFormElement;
  hours: HTMLParagraphElement;
  emailOffer: HTMLParagraphElement;
  emailLabel: HTMLSpanElement;
  email: HTMLInputElement;
  consent: HTMLInputElement;
  consentLabel: HTMLSpanElement;
  handoffError: HTMLParagraphElement;
  handoffSend: HTMLButtonElement;
  handoffCancel: HTMLButtonElement;
  person: HTMLButtonElement;
  inputLabel: HTMLLabelElement;
  input: HTMLTextAreaElement;
  send: HTMLButtonElement;
}

/** The element's public surface (the class itself is created lazily, see defineWidget). */
export interface KefuWidgetElement extends HTMLElement {
  assistant: KefuAssistant | null;
  readonly isOpen: boolean;
  open(): void;
  close(): void;
  toggle(): void;
  /** Sends a message as if typed (used by `Kefu('ask', text)`). */
  send(text: string): Promise<void>;
  /** Starts the hand-over to a person (the "Talk to a person" button). */
  talkToPerson(reason?: EscalationReason): Promise<void>;
}

let widgetClass: (new () => KefuWidgetElement) | null = null;

/** Registers <kefu-widget> once (a second call, or a second copy of the SDK, is harmless). */
export function defineWidget(): new () => KefuWidgetElement {
  if (widgetClass) return widgetClass;
  const existing = customElements.get('kefu-widget') as (new () => KefuWidgetElement) | undefined;
  if (existing) return (widgetClass = existing);

  class KefuWidget extends HTMLElement implements KefuWidgetElement {
    private assistantValue: KefuAssistant | null = null;
    private unsubscribers: (() => void)[] = [];
    private readonly parts: Parts;
    private openValue = false;
    private busy = 0;
    private stickyNotice: string | null = null;
    private pendingReason: EscalationReason = 'customer_request';
    /** Message typed for a hand-over that waits for the e-mail form. */
    private pendingMessage: string | null = null;
    /** Set when "Talk to a person" was pressed before the customer wrote anything. */
    private awaitingDescription: EscalationReason | null = null;

    constructor() {
      super();
      const root = this.attachShadow({ mode: 'open' });
      adoptStyles(root);
      this.parts = this.build(root);
    }

    get assistant(): KefuAssistant | null {
      return this.assistantValue;
    }
    set assistant(assistant: KefuAssistant | null) {
      if (assistant === this.assistantValue) return;
      this.unsubscribe();
      this.assistantValue = assistant;
      if (assistant && this.isConnected) this.subscribe();
      this.renderAll();
    }

    get isOpen(): boolean {
      return this.openValue;
    }

    connectedCallback(): void {
      if (this.assistantValue && this.unsubscribers.length === 0) this.subscribe();
      this.renderAll();
    }

    disconnectedCallback(): void {
      this.unsubscribe();
    }

    open(): void {
      if (this.openValue) return;
      this.openValue = true;
      this.parts.panel.hidden = false;
      this.parts.launcher.setAttribute('aria-expanded', 'true');
      this.scrollToEnd();
      this.parts.input.focus();
      this.assistantValue?.emit('open', {});
      if (!this.assistantValue) this.dispatch('open', {});
    }

    close(): void {
      if (!this.openValue) return;
      this.openValue = false;
      this.parts.panel.hidden = true;
      this.parts.launcher.setAttribute('aria-expanded', 'false');
      this.parts.launcher.focus();
      this.assistantValue?.emit('close', {});
      if (!this.assistantValue) this.dispatch('close', {});
    }

    toggle(): void {
      if (this.openValue) this.close();
      else this.open();
    }

    async send(text: string): Promise<void> {
      const assistant = this.assistantValue;
      if (!assistant) throw new UnavailableError('the widget has no assistant yet');
      try {
        assistant.checkMessage(text);
      } catch (error) {
        this.showNotice(toKefuError(error).message);
        throw error;
      }
      this.setBusy(+1);
      try {
        this.showNotice(null);
        const result = await assistant.ask(text);
        // Asked for a person, missed twice, angry or urgent: the core's reason goes with the hand-over.
        if (result.decision === 'escalate') await this.talkToPerson(escalationReasonFor(result.reason));
      } catch (error) {
        this.reportError(error, assistant.conversationId ? assistant.t('sendFailed') : undefined);
        throw error;
      } finally {
        this.setBusy(-1);
      }
    }

    async talkToPerson(reason: EscalationReason = 'customer_request'): Promise<void> {
      const assistant = this.assistantValue;
      if (!assistant) return;
      this.open();
      await assistant.loaded;
      if (assistant.status !== 'ready') {
        this.showDegraded();
        assistant.emit('error', new UnavailableError(`cannot hand over to a person: ${assistant.error?.message ?? 'the assistant is unavailable'}`));
        return;
      }
      if (assistant.conversationId) {
        this.showNotice(assistant.t('alreadyWithTeam'));
        this.parts.input.focus();
        return;
      }
      if (assistant.escalationQueued) {
        this.showNotice(assistant.t('handoffQueued'));
        return;
      }
      if (!assistant.transcript.some((message) => message.role === 'customer')) {
        // The team needs to know what it is about: the next message goes to them, not the bot.
        this.awaitingDescription = reason;
        this.showNotice(assistant.t('describeFirst'));
        this.parts.input.focus();
        return;
      }
      await this.handOver(reason, null);
    }

    /** Escalates now during business hours; outside them, first offers the e-mail form. */
    private async handOver(reason: EscalationReason, message: string | null): Promise<void> {
      const assistant = this.assistantValue;
      if (!assistant) return;
      this.setBusy(+1);
      try {
        const status = await assistant.businessStatus().catch(() => null);
        if (status && !status.open) {
          this.showHandoffForm(reason, status.text ?? assistant.t('teamAway'), message);
          return;
        }
        await this.escalate(reason, null, message);
      } finally {
        this.setBusy(-1);
      }
    }

    // ---- building ----------------------------------------------------------------------------

    private build(root: ShadowRoot): Parts {
      const launcher = el('button', { type: 'button', class: 'launcher', part: 'launcher', 'data-testid': 'kefu-launcher', 'aria-expanded': 'false', 'aria-controls': 'kefu-panel' });
      launcher.appendChild(chatIcon());

      const panel = el('section', { id: 'kefu-panel', class: 'panel', part: 'panel', 'data-testid': 'kefu-panel', role: 'dialog', 'aria-modal': 'false', 'aria-describedby': 'kefu-subtitle', hidden: true });
      const header = el('header', { class: 'header', part: 'header' });
      const titles = el('div', { class: 'titles' });
      const title = el('h2', { id: 'kefu-title', class: 'title', part: 'title', 'data-testid': 'kefu-title' });
      const subtitle = el('p', { id: 'kefu-subtitle', class: 'subtitle', part: 'subtitle', 'data-testid': 'kefu-automated' });
      titles.append(title, subtitle);
      const close = el('button', { type: 'button', class: 'close', part: 'close', 'data-testid': 'kefu-close' }, '×');
      header.append(titles, close);

      const notice = el('p', { class: 'notice', part: 'notice', 'data-testid': 'kefu-notice', role: 'status', hidden: true });
      // Translation: a notice of its own (it stays while other notices come and go) and the
      // download bar shown while ONNX Runtime and the models load.
      const translationNotice = el('p', { class: 'notice', part: 'notice translation-notice', 'data-testid': 'kefu-translation-notice', role: 'status', hidden: true });
      const translationProgress = el('div', { class: 'translation-progress', part: 'translation-progress', hidden: true });
      const translationProgressLabel = el('span', { id: 'kefu-translation-progress-label' });
      const translationProgressBar = el('progress', {
        role: 'progressbar',
        'data-testid': 'kefu-translation-progress',
        'aria-labelledby': 'kefu-translation-progress-label',
        'aria-valuemin': '0',
        'aria-valuemax': '100',
        max: '100',
        value: '0',
      });
      translationProgress.append(translationProgressLabel, translationProgressBar);
      const log = el('div', { class: 'log', part: 'messages', 'data-testid': 'kefu-messages', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', tabindex: '0' });
      const typing = el('div', { class: 'typing', part: 'typing', 'data-testid': 'kefu-typing', role: 'status', hidden: true });

      const handoff = el('form', { class: 'handoff', part: 'handoff', 'data-testid': 'kefu-handoff', hidden: true, novalidate: true });
      const hours = el('p', { class: 'hours', part: 'hours', 'data-testid': 'kefu-hours' });
      const emailOffer = el('p', { class: 'offer' });
      const emailWrap = el('label', { class: 'email-label' });
      const emailLabel = el('span');
      const email = el('input', { type: 'email', class: 'email', part: 'email', 'data-testid': 'kefu-email', autocomplete: 'email', inputmode: 'email' });
      emailWrap.append(emailLabel, el('br'), email);
      const consentWrap = el('label', { class: 'consent' });
      const consent = el('input', { type: 'checkbox', part: 'consent', 'data-testid': 'kefu-consent' });
      const consentLabel = el('span');
      consentWrap.append(consent, consentLabel);
      const handoffError = el('p', { class: 'error', role: 'alert', 'data-testid': 'kefu-handoff-error' });
      const buttons = el('div', { class: 'buttons' });
      const handoffCancel = el('button', { type: 'button', class: 'secondary', 'data-testid': 'kefu-handoff-cancel' });
      const handoffSend = el('button', { type: 'submit', class: 'primary', part: 'handoff-send', 'data-testid': 'kefu-handoff-send' });
      buttons.append(handoffCancel, handoffSend);
      handoff.append(hours, emailOffer, emailWrap, consentWrap, handoffError, buttons);

      const actions = el('div', { class: 'actions' });
      const person = el('button', { type: 'button', class: 'person', part: 'person', 'data-testid': 'kefu-person' });
      actions.append(person);

      const composer = el('form', { class: 'composer', part: 'composer', 'data-testid': 'kefu-composer' });
      const inputLabel = el('label', { class: 'sr-only', for: 'kefu-input' });
      const input = el('textarea', { id: 'kefu-input', class: 'input', part: 'input', 'data-testid': 'kefu-input', rows: '1', enterkeyhint: 'send' });
      const send = el('button', { type: 'submit', class: 'primary', part: 'send', 'data-testid': 'kefu-send' });
      composer.append(inputLabel, input, send);

      panel.append(header, notice, translationNotice, translationProgress, log, typing, handoff, actions, composer);
      const wrapper = el('div', { class: 'root', part: 'root' });
      wrapper.append(panel, launcher);
      root.appendChild(wrapper);

      launcher.addEventListener('click', () => this.open());
      close.addEventListener('click', () => this.close());
      panel.addEventListener('keydown', (event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          this.close();
        }
      });
      input.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          this.submitInput();
        }
      });
      composer.addEventListener('submit', (event) => {
        event.preventDefault();
        this.submitInput();
      });
      person.addEventListener('click', () => void this.talkToPerson('customer_request').catch(() => {}));
      handoff.addEventListener('submit', (event) => {
        event.preventDefault();
        void this.submitHandoff();
      });
      handoffCancel.addEventListener('click', () => {
        handoff.hidden = true;
        // A message typed for the hand-over goes back to the input: nothing typed is lost.
        if (this.pendingMessage && !input.value) input.value = this.pendingMessage;
        this.pendingMessage = null;
        input.focus();
      });

      return {
        launcher, panel, title, subtitle, close, notice, translationNotice, translationProgress, translationProgressLabel, translationProgressBar, log, typing, handoff, hours, emailOffer, emailLabel, email,
        consent, consentLabel, handoffError, handoffSend, handoffCancel, person, inputLabel, input, send,
      };
    }

    // ---- assistant wiring ----------------------------------------------------------------------

    private subscribe(): void {
      const assistant = this.assistantValue;
      if (!assistant) return;
      // Every assistant event is re-dispatched on the element as `kefu:<name>`.
      for (const name of EVENT_NAMES) {
        this.unsubscribers.push(assistant.on(name, (detail) => this.dispatch(name, detail)));
      }
      this.unsubscribers.push(
        assistant.on('message', (message) => {
          this.appendMessage(message);
          this.scrollToEnd();
        }),
        assistant.on('reset', () => {
          this.parts.handoff.hidden = true;
          this.pendingMessage = null;
          this.awaitingDescription = null;
          this.stickyNotice = null;
          this.showNotice(null);
          this.renderMessages();
        }),
        // The greeting and the person buttons follow the new language too.
        assistant.on('locale', () => {
          this.renderStrings();
          this.renderMessages();
          // An open hand-over form says when the team is back: in the new language too.
          if (!this.parts.handoff.hidden) {
            void assistant.businessStatus().then((status) => {
              if (status && !status.open) this.parts.hours.textContent = status.text ?? assistant.t('teamAway');
            }, () => {});
          }
        }),
        assistant.on('progress', (progress) => {
          if (progress.status === 'progress' && progress.file === 'translation') this.showTranslationProgress(progress.loaded, progress.total);
        }),
        assistant.on('translated', () => this.showTranslationProgress(null, null)),
        assistant.on('translation-unavailable', () => {
          this.showTranslationProgress(null, null);
          this.renderTranslationNotice();
        }),
        // A queued hand-over that got through: the "saved, will be sent" notice is now stale.
        assistant.on('escalated', () => this.showNotice(null)),
        assistant.on('ready', () => {
          this.renderAll();
        }),
      );
    }

    private unsubscribe(): void {
      for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    }

    private dispatch<K extends AssistantEventName>(name: K, detail: AssistantEventMap[K]): void {
      this.dispatchEvent(new CustomEvent(`kefu:${name}`, { detail, bubbles: true, composed: true }));
    }

    // ---- rendering -------------------------------------------------------------------------------

    private renderAll(): void {
      this.renderStrings();
      this.renderMessages();
      const assistant = this.assistantValue;
      if (assistant?.status === 'degraded') this.showDegraded();
      else if (assistant?.escalationQueued) this.showNotice(assistant.t('handoffQueued'));
      this.updateBusy();
    }

    private renderStrings(): void {
      const assistant = this.assistantValue;
      if (!assistant) return;
      const s = assistant.strings;
      const p = this.parts;
      p.launcher.setAttribute('aria-label', s.launcherLabel);
      p.panel.setAttribute('aria-label', s.panelLabel);
      p.title.textContent = this.getAttribute('title-text') || assistant.shop?.name || s.title;
      p.subtitle.textContent = s.automated;
      p.close.setAttribute('aria-label', s.close);
      p.inputLabel.textContent = s.inputLabel;
      p.input.placeholder = s.inputPlaceholder;
      p.send.textContent = s.send;
      p.person.textContent = s.talkToPerson;
      p.emailOffer.textContent = s.emailOffer;
      p.emailLabel.textContent = s.emailLabel;
      p.consentLabel.textContent = s.consentLabel;
      p.handoffSend.textContent = s.handoffSubmit;
      p.handoffCancel.textContent = s.cancel;
      p.translationProgressLabel.textContent = s.translationLoading;
      this.renderTranslationNotice();
      if (assistant.status === 'degraded') this.showDegraded();
      this.updateBusy();
      this.setAttribute('lang', assistant.language);
    }

    private renderMessages(): void {
      const assistant = this.assistantValue;
      this.parts.log.replaceChildren();
      if (!assistant) return;
      this.parts.log.appendChild(this.messageElement({ id: 'greeting', role: 'assistant', text: assistant.t('greeting'), at: '' }, 'greeting'));
      for (const message of assistant.transcript) this.appendMessage(message);
      this.scrollToEnd();
    }

    private appendMessage(message: Message): void {
      this.parts.log.appendChild(this.messageElement(message));
    }

    private messageElement(message: Message, kind?: string): HTMLElement {
      const assistant = this.assistantValue;
      const item = el('div', { class: 'message', part: `message message-${message.role}`, 'data-testid': 'kefu-message', 'data-role': message.role, 'data-kind': kind ?? message.kind });
      if (message.seq !== undefined) item.setAttribute('data-seq', String(message.seq));
      const s = assistant?.strings;
      if (message.role === 'agent') {
        const author = el('span', { class: 'author' }, message.author || s?.team || '');
        author.appendChild(el('span', { class: 'sr-only' }, ': '));
        item.appendChild(author);
      } else if (s && message.role !== 'system') {
        item.appendChild(el('span', { class: 'sr-only' }, `${message.role === 'customer' ? s.you : s.assistant}: `));
      }
      const text = el('p', { class: 'text' }, message.text);
      if (message.language) text.setAttribute('lang', message.language);
      item.appendChild(text);
      if (message.original && s) item.appendChild(this.translationMarker(message, text, s.machineTranslated, s.showOriginal));
      if (message.suggestions?.length) {
        const list = el('div', { class: 'suggestions', role: 'group', 'aria-label': message.text });
        for (const [index, question] of message.suggestions.entries()) {
          const button = el('button', { type: 'button', class: 'suggestion', part: 'suggestion', 'data-testid': 'kefu-suggestion' }, question);
          // Machine-translated suggestions: in the customer's language, the KB's wording on hover.
          const original = message.suggestionOriginals?.[index];
          if (original) {
            button.title = `${s?.machineTranslated ?? 'Machine-translated'}: ${original}`;
          }
          button.addEventListener('click', () => void this.send(question).catch(() => {}));
          list.appendChild(button);
        }
        item.appendChild(list);
      }
      if (message.offerPerson && s) {
        const button = el('button', { type: 'button', class: 'suggestion', part: 'suggestion offer-person', 'data-testid': 'kefu-offer-person' }, s.talkToPerson);
        button.addEventListener('click', () => void this.talkToPerson('customer_request').catch(() => {}));
        const group = el('div', { class: 'suggestions' });
        group.appendChild(button);
        item.appendChild(group);
      }
      return item;
    }

    /** "Machine-translated" and a "Show original" toggle that swaps the text (as text, never HTML). */
    private translationMarker(message: Message, text: HTMLElement, markerText: string, toggleText: string): HTMLElement {
      const original = message.original as { text: string; language: string };
      const marker = el('div', { class: 'mt', part: 'translation-marker' });
      marker.appendChild(el('span', { 'data-testid': 'kefu-mt-marker' }, markerText));
      const toggle = el('button', { type: 'button', class: 'mt-toggle', part: 'show-original', 'data-testid': 'kefu-show-original', 'aria-pressed': 'false' }, toggleText);
      toggle.addEventListener('click', () => {
        const showOriginal = toggle.getAttribute('aria-pressed') !== 'true';
        toggle.setAttribute('aria-pressed', String(showOriginal));
        text.textContent = showOriginal ? original.text : message.text;
        if (showOriginal) text.setAttribute('lang', original.language);
        else if (message.language) text.setAttribute('lang', message.language);
        else text.removeAttribute('lang');
      });
      marker.appendChild(toggle);
      return marker;
    }

    /** The translation download bar: `null` hides it. */
    private showTranslationProgress(loaded: number | null, total: number | null): void {
      const p = this.parts;
      if (loaded === null || !total || loaded >= total) {
        p.translationProgress.hidden = true;
        return;
      }
      const percent = Math.floor((loaded / total) * 100);
      p.translationProgressBar.value = percent;
      p.translationProgressBar.setAttribute('aria-valuenow', String(percent));
      p.translationProgressBar.setAttribute('aria-valuetext', `${percent} %`);
      p.translationProgress.hidden = false;
    }

    /** The customer is told, in their language, that answers may come in the shop's language. */
    private renderTranslationNotice(): void {
      const assistant = this.assistantValue;
      const unavailable = assistant?.translationState === 'unavailable';
      this.parts.translationNotice.textContent = unavailable && assistant ? assistant.t('translationUnavailable') : '';
      this.parts.translationNotice.hidden = !unavailable;
    }

    private scrollToEnd(): void {
      const log = this.parts.log;
      log.scrollTop = log.scrollHeight;
    }

    private setBusy(delta: number): void {
      this.busy = Math.max(0, this.busy + delta);
      this.updateBusy();
    }

    private updateBusy(): void {
      const assistant = this.assistantValue;
      const loading = !assistant || assistant.status === 'loading';
      const working = this.busy > 0;
      this.parts.typing.hidden = !(loading || working);
      this.parts.typing.textContent = assistant ? assistant.t(loading ? 'loading' : 'working') : '';
      this.parts.send.disabled = working;
      this.parts.handoffSend.disabled = working;
      this.toggleAttribute('data-busy', working);
      this.setAttribute('data-status', assistant?.status ?? 'loading');
    }

    /** Shows a notice; `null` clears it back to the persistent (degraded) notice, if any. */
    private showNotice(text: string | null): void {
      const shown = text ?? this.stickyNotice;
      this.parts.notice.textContent = shown ?? '';
      this.parts.notice.hidden = !shown;
    }

    private showDegraded(): void {
      const assistant = this.assistantValue;
      if (!assistant) return;
      const email = assistant.shop?.contactEmail;
      this.stickyNotice = `${assistant.t('degraded')} ${email ? assistant.t('degradedContact', { email }) : assistant.t('degradedRetry')}`;
      this.showNotice(null);
    }

    private reportError(error: unknown, customerText?: string): void {
      const kefuError = toKefuError(error);
      const assistant = this.assistantValue;
      const customerFixable = kefuError.code === 'out_of_range' || kefuError.code === 'invalid_argument';
      if (customerText) this.showNotice(customerText);
      else if (customerFixable) this.showNotice(kefuError.message);
      else if (assistant?.status === 'degraded') this.showDegraded();
      else this.showNotice(assistant?.t('somethingWrong') ?? kefuError.message);
      // Validation problems are the customer's to fix; everything else is reported to the host.
      if (!customerFixable) assistant?.emit('error', kefuError);
    }

    // ---- input -----------------------------------------------------------------------------------

    private submitInput(): void {
      const input = this.parts.input;
      const text = input.value;
      if (!text.trim() || this.busy > 0) return;
      const assistant = this.assistantValue;
      if (!assistant) return;
      try {
        assistant.checkMessage(text);
      } catch (error) {
        // Too long: refused before it reaches the core, and the text stays in the input.
        this.showNotice(toKefuError(error).message);
        return;
      }
      input.value = '';
      const handoffReason = this.awaitingDescription;
      if (handoffReason) {
        this.awaitingDescription = null;
        this.showNotice(null);
        void this.handOver(handoffReason, text);
        return;
      }
      this.send(text).catch(() => {
        // Nothing typed is lost: put the text back if the customer has not started a new one.
        if (!input.value) input.value = text;
      });
    }

    // ---- hand-over -------------------------------------------------------------------------------

    private showHandoffForm(reason: EscalationReason, hoursText: string, message: string | null): void {
      const p = this.parts;
      this.pendingReason = reason;
      this.pendingMessage = message;
      p.hours.textContent = hoursText;
      p.handoffError.textContent = '';
      const stored = this.assistantValue?.storedContact();
      if (stored && !p.email.value) p.email.value = stored.email;
      p.consent.checked = false;
      p.handoff.hidden = false;
      p.email.focus();
    }

    private async submitHandoff(): Promise<void> {
      const assistant = this.assistantValue;
      const p = this.parts;
      if (!assistant) return;
      const email = p.email.value.trim();
      let contact: { email: string; consent: true } | null = null;
      if (email) {
        if (!EMAIL_PATTERN.test(email)) {
          p.handoffError.textContent = assistant.t('emailInvalid');
          p.email.focus();
          return;
        }
        if (!p.consent.checked) {
          p.handoffError.textContent = assistant.t('consentRequired');
          p.consent.focus();
          return;
        }
        contact = { email, consent: true };
      }
      p.handoff.hidden = true;
      this.setBusy(+1);
      try {
        const message = this.pendingMessage;
        this.pendingMessage = null;
        await this.escalate(this.pendingReason, contact, message);
      } finally {
        this.setBusy(-1);
      }
      p.input.focus();
    }

    private async escalate(reason: EscalationReason, contact: { email: string; consent: true } | null, message: string | null): Promise<void> {
      const assistant = this.assistantValue;
      if (!assistant) return;
      try {
        const outcome = await assistant.escalate({ reason, contact, message });
        if (outcome.state === 'already-open') this.showNotice(assistant.t('alreadyWithTeam'));
        else if (outcome.state === 'already-queued' || outcome.state === 'queued') this.showNotice(assistant.t('handoffQueued'));
        else this.showNotice(null);
      } catch (error) {
        const kefuError = toKefuError(error);
        this.showNotice(assistant.t('handoffFailed', { message: kefuError.message }));
        const input = this.parts.input;
        if (message && !input.value && !assistant.transcript.some((line) => line.role === 'customer' && line.text === message)) {
          input.value = message;
        }
        if (!(kefuError instanceof KefuError) || kefuError.code !== 'invalid_argument') assistant.emit('error', kefuError);
      }
    }
  }

  customElements.define('kefu-widget', KefuWidget);
  widgetClass = KefuWidget;
  return KefuWidget;
}

/**
 * Creates a <kefu-widget> for `assistant` and adds it to the page (default: document.body).
 * Returns the element; remove it with `element.remove()`.
 */
export function mountWidget(assistant: KefuAssistant, options: WidgetOptions = {}): KefuWidgetElement {
  if (!assistant || typeof (assistant as KefuAssistant).ask !== 'function') {
    throw new InvalidArgumentError('mountWidget: the first argument must be an assistant from createAssistant()');
  }
  if (options.position !== undefined && !WIDGET_POSITIONS.includes(options.position)) {
    throw invalidChoice('mountWidget options.position', options.position, WIDGET_POSITIONS);
  }
  const Widget = defineWidget();
  const element = new Widget();
  element.setAttribute('position', options.position ?? 'right');
  if (options.title) element.setAttribute('title-text', options.title);
  element.assistant = assistant;
  (options.container ?? document.body).appendChild(element);
  if (options.open) element.open();
  return element;
}
