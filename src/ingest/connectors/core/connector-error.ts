import { RollcallError, type ErrorKind } from '../../../errors.js';
import type { FailureCategory, FailureReason } from './failure.js';
import { Redactor } from './redact.js';

/** For engineers: what was asked and what came back, secrets removed. */
export interface TechnicalDetail {
  method?: string;
  url?: string;
  reason?: FailureReason;
  status?: number;
  networkCode?: string;
  vendorCode?: string;
  vendorMessage?: string;
  /** The start of the error body. */
  body?: string;
  /** Why the last attempt was not retried or how it was retried (see `decideRetry`). */
  retry?: string;
  /** The id of the error rule that wrote the admin message. */
  rule?: string;
  /** Where in a listing: page number, offset, cursor… */
  context?: Record<string, string | number>;
  detail?: string;
}

export interface ConnectorErrorInit {
  connection: string;
  vendor: string;
  entity?: string;
  status?: number;
  attempts: number;
  retryable: boolean;
  category: FailureCategory;
  adminMessage: string;
  technical: TechnicalDetail;
}

export type ConnectorErrorJson = ConnectorErrorInit & { name: 'ConnectorError' };

const KIND: Partial<Record<FailureCategory, ErrorKind>> = {
  auth: 'unauthorized', permission: 'forbidden', not_found: 'not_found', rate_limited: 'busy', version: 'unsupported',
};

/**
 * A request to an upstream system failed, for good. `adminMessage` tells a district admin what to
 * do; `technical` tells an engineer what happened. Both are redacted on the way in, so the error
 * can be logged, stored in a run outcome, or shown as it is. It carries no `cause`: raw errors can
 * quote response bodies, and those may hold secrets.
 */
export class ConnectorError extends RollcallError {
  readonly connection: string;
  readonly vendor: string;
  readonly entity?: string;
  readonly status?: number;
  readonly attempts: number;
  readonly retryable: boolean;
  readonly category: FailureCategory;
  readonly adminMessage: string;
  readonly technical: TechnicalDetail;

  constructor(init: ConnectorErrorInit, redactor: Redactor = new Redactor()) {
    const adminMessage = redactor.text(init.adminMessage);
    super(KIND[init.category] ?? 'internal', adminMessage, {
      connection: init.connection, vendor: init.vendor, entity: init.entity, status: init.status,
      attempts: init.attempts, retryable: init.retryable, category: init.category,
    });
    this.name = 'ConnectorError';
    this.connection = init.connection;
    this.vendor = init.vendor;
    this.entity = init.entity;
    this.status = init.status;
    this.attempts = init.attempts;
    this.retryable = init.retryable;
    this.category = init.category;
    this.adminMessage = adminMessage;
    this.technical = redactor.value(init.technical);
  }

  /** The same error with more context in its technical detail (a listing's page, offset, cursor…). */
  withContext(context: Record<string, string | number>): ConnectorError {
    return new ConnectorError({ ...this.toJSON(), technical: { ...this.technical, context: { ...this.technical.context, ...context } } });
  }

  toJSON(): ConnectorErrorJson {
    return {
      name: 'ConnectorError', connection: this.connection, vendor: this.vendor, entity: this.entity, status: this.status,
      attempts: this.attempts, retryable: this.retryable, category: this.category, adminMessage: this.adminMessage, technical: this.technical,
    };
  }
}

export const isConnectorError = (e: unknown): e is ConnectorError => e instanceof ConnectorError;
