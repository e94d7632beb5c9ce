/** Files of a drag-and-drop, folders walked recursively, each with its relative path. */
export type PickedFile = { path: string; file: File };

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

async function walk(entry: FileSystemEntry, prefix: string, out: PickedFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ path: prefix + entry.name, file });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries answers in batches (100 in Chromium) until it answers empty.
  for (;;) {
    const batch = await readEntries(reader);
    if (batch.length === 0) break;
    for (const e of batch) await walk(e, `${prefix}${entry.name}/`, out);
  }
}

export async function collectDrop(dt: DataTransfer): Promise<PickedFile[]> {
  const entries = [...dt.items].map((i) => i.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null);
  const out: PickedFile[] = [];
  for (const e of entries) await walk(e, '', out);
  return out;
}

/** Files from an <input webkitdirectory> or a plain multi-file input. */
export function collectInput(files: FileList): PickedFile[] {
  return [...files].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
}
