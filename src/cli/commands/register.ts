import type { Command } from 'commander';

/** A subcommand registers itself and reports its exit code through `setExit`. */
export type RegisterCommand = (program: Command, setExit: (code: number) => void) => void;
