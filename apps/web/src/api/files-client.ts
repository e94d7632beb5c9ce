import { postForm, rawGet } from './client';
import type { FileChange } from './files-types';
import type { FilesVersion } from './types';

const enc = (p: string) => p.split('/').map(encodeURIComponent).join('/');

/** Hands a fetched body to the browser as a download named `name`. */
async function saveAs(res: Response, name: string): Promise<void> {
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  // The click has started the download; the URL is not needed past this task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Spider file changes saved together, and downloads (the bearer header rules out a plain link). */
export const filesApi = {
  applyChanges: (id: string, baseVersion: number, changes: FileChange[], contents: Map<string, Blob>) => {
    const form = new FormData();
    form.append('baseVersion', String(baseVersion));
    form.append('changes', JSON.stringify(changes));
    for (const [path, blob] of contents) form.append('file', blob, path);
    return postForm<FilesVersion>(`/api/spiders/${id}/changes`, form);
  },
  downloadFile: async (id: string, version: number, path: string) =>
    saveAs(await rawGet(`/api/spiders/${id}/versions/${version}/files/${enc(path)}`), path.split('/').pop() ?? 'file'),
  downloadVersion: async (id: string, version: number) => {
    const res = await rawGet(`/api/spiders/${id}/versions/${version}/archive`);
    const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `spider-v${version}.zip`;
    await saveAs(res, name);
  },
};
