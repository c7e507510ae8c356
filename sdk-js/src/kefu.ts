// kefu.mjs — the ES module API.
//
//   import { createAssistant, mountWidget } from '/kefu/kefu.mjs';
//   const kefu = await createAssistant({ kb: '/kb.json' });
//   mountWidget(kefu);
//   kefu.on('escalated', ({ conversationId }) => console.log(conversationId));

import { KefuAssistant, type Assistant, type AssistantOptions } from './assistant.js';

/**
 * Creates an assistant and resolves once it is usable: status 'ready', or 'degraded' when the
 * KB or the wasm core could not be loaded (see `assistant.error`; the `error` event fires too).
 * Rejects only for invalid options (InvalidArgumentError naming the option).
 * Default baseUrl: the folder this module was loaded from.
 */
export async function createAssistant(options: AssistantOptions): Promise<Assistant> {
  const assistant = new KefuAssistant(options, options?.baseUrl ?? new URL('./', import.meta.url));
  await assistant.loaded;
  return assistant;
}

export { KefuAssistant, DEFAULT_MAX_MESSAGE_LENGTH, EVENT_NAMES, ESCALATION_REASONS } from './assistant.js';
export type { Entity, OrderLookupHandler, OrderLookupRequest, Understanding } from './understanding.js';
export type { LoadedModel, ModelName } from './models.js';
export type {
  Assistant,
  AssistantOptions,
  AssistantStatus,
  AssistantEventMap,
  AssistantEventName,
  AskResult,
  BusinessStatus,
  Candidate,
  Contact,
  EscalateOptions,
  EscalatedDetail,
  EscalationOutcome,
  EscalationReason,
  Message,
  MessageRole,
  ModelsOption,
  Progress,
  ReadyDetail,
  ShopInfo,
  StorageOption,
  TranslatedDetail,
  TranslationState,
  TranslationUnavailableDetail,
} from './assistant.js';
export type { TranslationValue } from './translation.js';
export { mountWidget, defineWidget, WIDGET_POSITIONS } from './widget.js';
export type { KefuWidgetElement, WidgetOptions, WidgetPosition } from './widget.js';
export {
  KefuError,
  InvalidArgumentError,
  NotFoundError,
  OutOfRangeError,
  DataLossError,
  UnavailableError,
  InternalError,
  KEFU_ERROR_CODES,
  errorFromStatus,
} from './errors.js';
export type { KefuErrorCode } from './errors.js';
export { LANGUAGES, STRINGS } from './i18n.js';
export type { Language, Strings, StringKey, StringOverrides } from './i18n.js';
export type { KeyValueStorage } from './storage.js';
export { SDK_VERSION } from './version.js';
