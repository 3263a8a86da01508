/** A checkpoint that cannot be resumed here: unreadable, not a checkpoint, or another scope. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}
