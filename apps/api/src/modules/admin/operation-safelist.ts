import { createHash } from "node:crypto";
import type { Db } from "../../infra/prisma.js";
import { AppError, badInput, ErrorCode, notFound } from "../../kernel/errors.js";
import type { Viewer } from "../../kernel/viewer.js";
import { TtlCache } from "../../lib/ttl-cache.js";

// Per-key safelists (docs/partners.md, "Persisted operations"): a partner registers the operations its
// app sends; a key in safelist mode then runs those and nothing else, sent whole or by their hash alone
// (Apollo's persisted-query protocol: the hash is the SHA-256 of the document's text).

const MAX_DOCUMENTS = 200;
const MAX_DOCUMENT_LENGTH = 20_000;
// How long an instance trusts what it read of a key's mode and operations.
const CACHE_MS = 5_000;

export const operationHash = (document: string) => createHash("sha256").update(document).digest("hex");

export interface PersistedOperationView {
  sha256Hash: string;
  name: string | null;
}

/** What a request asks to run: its query text and/or the hash of Apollo's protocol. */
export interface OperationRequest {
  query?: string;
  sha256Hash?: string;
}

type Safelist = Map<string, string> | null;

export class OperationSafelist {
  private readonly lists = new TtlCache<string, Safelist>(CACHE_MS);

  constructor(private readonly db: Db) {}

  /**
   * Admits a request made with a key: keys not in safelist mode run anything their scopes allow. A
   * key in safelist mode runs registered operations only (FORBIDDEN otherwise); given the hash alone,
   * the registered document is returned, to run as if it had been sent.
   */
  async admit(apiKeyId: string, request: OperationRequest): Promise<string | undefined> {
    const list = await this.lists.get(apiKeyId, () => this.load(apiKeyId));
    if (!list) return undefined;
    const hash = request.query !== undefined ? operationHash(request.query) : request.sha256Hash;
    const document = hash ? list.get(hash.toLowerCase()) : undefined;
    if (document === undefined) {
      throw new AppError(
        ErrorCode.FORBIDDEN,
        "This API key runs registered operations only (safelist mode), and this one is not registered",
        { reason: "OPERATION_NOT_SAFELISTED" },
      );
    }
    return request.query === undefined ? document : undefined;
  }

  private async load(apiKeyId: string): Promise<Safelist> {
    const key = await this.db.apiKey.findUnique({
      where: { id: apiKeyId },
      select: { safelist: true, operations: { select: { sha256: true, document: true } } },
    });
    if (!key?.safelist) return null;
    return new Map(key.operations.map((operation) => [operation.sha256, operation.document]));
  }

  private async ownKey(viewer: Viewer, apiKeyId: string): Promise<void> {
    if (!/^[0-9a-f-]{36}$/i.test(apiKeyId))
      throw badInput("apiKeyId is not an API key id", { field: "apiKeyId" });
    const key = await this.db.apiKey.findUnique({ where: { id: apiKeyId }, select: { ownerId: true } });
    if (!key) throw notFound("API key", apiKeyId);
    if (viewer.role !== "ADMIN" && key.ownerId !== viewer.userId) {
      throw new AppError(ErrorCode.FORBIDDEN, "This API key is not yours");
    }
  }

  /** Registers documents (already parsed and validated by the caller) for a key; returns their hashes. */
  async register(
    viewer: Viewer,
    apiKeyId: string,
    documents: { document: string; name: string | null }[],
  ): Promise<PersistedOperationView[]> {
    await this.ownKey(viewer, apiKeyId);
    if (documents.length === 0 || documents.length > MAX_DOCUMENTS) {
      throw badInput(`documents must hold 1 to ${MAX_DOCUMENTS} operations`, { field: "documents" });
    }
    if (documents.some(({ document }) => document.length > MAX_DOCUMENT_LENGTH)) {
      throw badInput(`A document is longer than ${MAX_DOCUMENT_LENGTH} characters`, { field: "documents" });
    }
    const rows = documents.map(({ document, name }) => ({
      apiKeyId,
      sha256: operationHash(document),
      name,
      document,
    }));
    await this.db.apiKeyOperation.createMany({ data: rows, skipDuplicates: true });
    this.lists.delete(apiKeyId);
    return rows.map((row) => ({ sha256Hash: row.sha256, name: row.name }));
  }

  async operations(viewer: Viewer, apiKeyId: string): Promise<PersistedOperationView[]> {
    await this.ownKey(viewer, apiKeyId);
    const rows = await this.db.apiKeyOperation.findMany({
      where: { apiKeyId },
      orderBy: { createdAt: "asc" },
      select: { sha256: true, name: true },
    });
    return rows.map((row) => ({ sha256Hash: row.sha256, name: row.name }));
  }

  async setMode(viewer: Viewer, apiKeyId: string, enabled: boolean): Promise<boolean> {
    await this.ownKey(viewer, apiKeyId);
    await this.db.apiKey.update({ where: { id: apiKeyId }, data: { safelist: enabled } });
    this.lists.delete(apiKeyId);
    return enabled;
  }
}
