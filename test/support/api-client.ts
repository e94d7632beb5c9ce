export type ApiResponse<T = any> = { status: number; body: T; text: string; headers: Headers };

/** A tiny REST client for one master, carrying the bearer token. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | null,
  ) {}

  withToken(token: string | null): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  get<T = any>(path: string): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path);
  }

  post<T = any>(path: string, json?: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, json === undefined ? undefined : JSON.stringify(json), 'application/json');
  }

  patch<T = any>(path: string, json: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('PATCH', path, JSON.stringify(json), 'application/json');
  }

  delete<T = any>(path: string): Promise<ApiResponse<T>> {
    return this.request<T>('DELETE', path);
  }

  put<T = any>(path: string, body: BodyInit | Buffer, contentType?: string): Promise<ApiResponse<T>> {
    return this.request<T>("PUT", path, (Buffer.isBuffer(body) ? new Uint8Array(body) : body) as BodyInit, contentType);
  }

  /** multipart/form-data, one part per file whose filename is its relative path. */
  putFiles<T = any>(path: string, files: Record<string, string | Buffer>): Promise<ApiResponse<T>> {
    const form = new FormData();
    for (const [name, content] of Object.entries(files)) {
      form.append('file', new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), name);
    }
    return this.request<T>('PUT', path, form);
  }

  async request<T>(method: string, path: string, body?: BodyInit, contentType?: string): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (contentType) headers['content-type'] = contentType;
    const res = await fetch(this.baseUrl + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, text, headers: res.headers };
  }
}
