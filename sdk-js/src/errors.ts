// The one place where `{code, message}` values (from the wasm core, the worker or the server)
// become exceptions. Every other module throws or rejects with these classes.

/** Status codes shared by the core, the worker protocol and the server. */
export type KefuErrorCode =
  | 'invalid_argument'
  | 'not_found'
  | 'out_of_range'
  | 'data_loss'
  | 'unavailable'
  | 'internal';

export const KEFU_ERROR_CODES: readonly KefuErrorCode[] = [
  'invalid_argument',
  'not_found',
  'out_of_range',
  'data_loss',
  'unavailable',
  'internal',
];

/** Base class of every error the SDK throws; `code` is stable, `message` is for people. */
export class KefuError extends Error {
  readonly code: KefuErrorCode;
  constructor(code: KefuErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = 'KefuError';
  }
  /** The wire form used by the worker protocol: `{name, code, message}`. */
  toJSON(): { name: string; code: KefuErrorCode; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}

export class InvalidArgumentError extends KefuError {
  constructor(message: string) {
    super('invalid_argument', message);
    this.name = 'InvalidArgumentError';
  }
}
export class NotFoundError extends KefuError {
  constructor(message: string) {
    super('not_found', message);
    this.name = 'NotFoundError';
  }
}
export class OutOfRangeError extends KefuError {
  constructor(message: string) {
    super('out_of_range', message);
    this.name = 'OutOfRangeError';
  }
}
export class DataLossError extends KefuError {
  constructor(message: string) {
    super('data_loss', message);
    this.name = 'DataLossError';
  }
}
export class UnavailableError extends KefuError {
  constructor(message: string) {
    super('unavailable', message);
    this.name = 'UnavailableError';
  }
}
export class InternalError extends KefuError {
  constructor(message: string) {
    super('internal', message);
    this.name = 'InternalError';
  }
}

const CLASS_BY_CODE: Record<KefuErrorCode, new (message: string) => KefuError> = {
  invalid_argument: InvalidArgumentError,
  not_found: NotFoundError,
  out_of_range: OutOfRangeError,
  data_loss: DataLossError,
  unavailable: UnavailableError,
  internal: InternalError,
};

export function isKefuErrorCode(code: unknown): code is KefuErrorCode {
  return typeof code === 'string' && (KEFU_ERROR_CODES as readonly string[]).includes(code);
}

/**
 * Turns `{code, message}` into the matching KefuError subclass. An unknown code becomes an
 * InternalError whose message keeps the original code, so nothing is silently relabelled.
 */
export function errorFromStatus(status: { code?: unknown; message?: unknown }): KefuError {
  const message = typeof status.message === 'string' && status.message ? status.message : 'unknown error';
  if (isKefuErrorCode(status.code)) return new CLASS_BY_CODE[status.code](message);
  return new InternalError(`${message} (unexpected error code ${JSON.stringify(status.code ?? null)})`);
}

/** Wraps anything thrown (KefuError, Error, string) into a KefuError, keeping KefuErrors as they are. */
export function toKefuError(error: unknown, fallbackCode: KefuErrorCode = 'internal'): KefuError {
  if (error instanceof KefuError) return error;
  if (error && typeof error === 'object' && 'code' in error && isKefuErrorCode((error as { code: unknown }).code)) {
    return errorFromStatus(error as { code: unknown; message?: unknown });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CLASS_BY_CODE[fallbackCode](message);
}

/** Builds the "must be one of ..." message used by every option validator. */
export function invalidChoice(what: string, value: unknown, valid: readonly string[]): InvalidArgumentError {
  return new InvalidArgumentError(
    `${what}: ${JSON.stringify(value)} is not valid; must be one of ${valid.join(', ')}`,
  );
}
