import { Button, Group, Paper, Progress, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type DragEvent, useRef, useState } from 'react';
import { api } from '../api/client';
import { ErrorAlert } from '../shared/ErrorAlert';
import { collectDrop, collectInput, type PickedFile } from './collect-drop';
import { archiveType, stripTopFolder } from './file-tree';

/** Replace all files: drop (or pick) a folder, a .zip or a .tar.gz; a progress bar while it goes up. */
export function UploadPanel({ spiderId }: { spiderId: string }) {
  const qc = useQueryClient();
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [over, setOver] = useState(false);
  const folderInput = useRef<HTMLInputElement>(null);
  const archiveInput = useRef<HTMLInputElement>(null);

  const upload = async (picked: PickedFile[]) => {
    if (picked.length === 0) return;
    setError(null);
    setDone(null);
    setProgress(0);
    try {
      const single = picked.length === 1 ? archiveType(picked[0].file.name) : null;
      let body: Blob | FormData;
      if (single) body = picked[0].file;
      else {
        const form = new FormData();
        const paths = stripTopFolder(picked.map((p) => p.path));
        picked.forEach((p, i) => form.append('file', p.file, paths[i]));
        body = form;
      }
      const r = await api.uploadFiles(spiderId, body, single, setProgress);
      const notes = [r.unchanged ? 'unchanged, no new version' : '', r.unwrapped ? `the archive's top-level folder ${r.unwrapped} was dropped from every path` : ''].filter(Boolean);
      setDone(`Version ${r.version}: ${r.fileCount} files${notes.length ? ` (${notes.join('; ')})` : ''}`);
      await qc.invalidateQueries({ queryKey: ['spiders', spiderId] });
      await qc.invalidateQueries({ queryKey: ['spiders'] });
    } catch (err) {
      setError(err);
    } finally {
      setProgress(null);
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    void collectDrop(e.dataTransfer).then(upload, setError);
  };

  return (
    <Paper
      withBorder
      p="md"
      bg={over ? 'blue.0' : undefined}
      onDragOver={(e) => { e.preventDefault(); setOver(true); }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      aria-label="Upload files"
      role="region"
    >
      <Stack gap="xs">
        <Text size="sm">Drop a folder, a .zip or a .tar.gz here to replace all files (a new version), or:</Text>
        <Group>
          <Button variant="default" size="xs" onClick={() => folderInput.current?.click()}>Choose folder</Button>
          <Button variant="default" size="xs" onClick={() => archiveInput.current?.click()}>Choose archive</Button>
        </Group>
        <input
          ref={folderInput}
          type="file"
          hidden
          multiple
          aria-label="Folder to upload"
          data-testid="folder-input"
          {...{ webkitdirectory: '' }}
          onChange={(e) => { if (e.currentTarget.files) void upload(collectInput(e.currentTarget.files)); e.currentTarget.value = ''; }}
        />
        <input
          ref={archiveInput}
          type="file"
          hidden
          accept=".zip,.tar.gz,.tgz"
          aria-label="Archive to upload"
          data-testid="archive-input"
          onChange={(e) => { if (e.currentTarget.files) void upload(collectInput(e.currentTarget.files)); e.currentTarget.value = ''; }}
        />
        {progress !== null && <Progress value={progress * 100} aria-label="Upload progress" animated />}
        {done && <Text size="sm" c="green" role="status">{done}</Text>}
        <ErrorAlert error={error} title="Upload refused" />
      </Stack>
    </Paper>
  );
}
