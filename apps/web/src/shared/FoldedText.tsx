import { Anchor, Text } from '@mantine/core';
import { useState } from 'react';

/** A multi-line message (an error with a traceback, pip's progress) as its first line, the rest folded. */
export function FoldedText({ text }: { text: string }) {
  const [open, setOpen] = useState(false);
  const lines = text.replace(/\r\n?/g, '\n').split('\n').filter((l) => l.trim() !== '');
  const first = lines[0] ?? '';
  if (lines.length <= 1) return <Text size="sm" style={{ wordBreak: 'break-word' }}>{first}</Text>;
  return (
    <div>
      <Text size="sm" style={{ wordBreak: 'break-word' }}>
        {first}{' '}
        <Anchor component="button" type="button" size="xs" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
          {open ? 'fold' : `+${lines.length - 1} lines`}
        </Anchor>
      </Text>
      {open && <Text component="pre" size="xs" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', margin: 0 }}>{lines.slice(1).join('\n')}</Text>}
    </div>
  );
}
