/** Where the API version (base path) that answered is kept, per connection, between runs. */
export interface VersionMemory {
  get(connectionId: string): Promise<string | undefined>;
  set(connectionId: string, value: string): Promise<void>;
  forget(connectionId: string): Promise<void>;
}

/** For one process and for tests; a database-backed memory keeps the choice across restarts. */
export class InMemoryVersionMemory implements VersionMemory {
  private readonly values = new Map<string, string>();

  async get(connectionId: string): Promise<string | undefined> {
    return this.values.get(connectionId);
  }

  async set(connectionId: string, value: string): Promise<void> {
    this.values.set(connectionId, value);
  }

  async forget(connectionId: string): Promise<void> {
    this.values.delete(connectionId);
  }
}
