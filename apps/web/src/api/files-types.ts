/**
 * One change of a batch saved as one version (POST /api/spiders/:id/changes). `put` carries
 * its content as the file part named by its path; `delete` and `move` act on a file or a
 * whole folder; `mkdir` makes a folder (kept by a `.keep` file while empty).
 */
export type FileChange =
  | { op: 'put'; path: string }
  | { op: 'delete'; path: string }
  | { op: 'move'; from: string; to: string }
  | { op: 'mkdir'; path: string };
